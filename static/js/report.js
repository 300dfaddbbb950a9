// "Report this room" (templates/_report.html), on the join page and in the chat page's menu: a reason is
// sent to the server's operator. The server answers alike whether or not the room lives; every word shown
// is the page's own, rendered by the server. The page's own module calls setUpReport(): a server-blind room's
// chat opens in place of its join page (e2e/navigate.js), where only the page's module runs.
const OUTCOMES = ["report-sent", "report-limited", "report-unchosen", "report-failed"];

/** Show the one outcome `id` (or none), hiding the others. */
function show(id) {
  for (const each of OUTCOMES) document.getElementById(each).hidden = each !== id;
}

async function report(dialog, reason) {
  try {
    const answer = await fetch(dialog.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reason }),
      credentials: "omit", // the report is about the room, not about whoever sends it
      cache: "no-store",
    });
    if (answer.ok) return "report-sent";
    return answer.status === 429 ? "report-limited" : "report-failed";
  } catch {
    return "report-failed";
  }
}

/** Show the page's "Report this room" button and wire its dialog; nothing on a page without one. */
export function setUpReport() {
  const open = document.getElementById("report-open");
  const dialog = document.getElementById("report-dialog");
  const form = document.getElementById("report-form");
  const send = document.getElementById("report-send");
  if (!open || !dialog || !form || !send) return;
  open.hidden = false;
  open.addEventListener("click", () => {
    form.reset();
    show(null);
    send.disabled = false;
    dialog.showModal();
  });
  document.getElementById("report-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = new FormData(form).get("reason");
    if (!reason) {
      show("report-unchosen");
      return;
    }
    send.disabled = true;
    const outcome = await report(dialog, reason);
    show(outcome);
    // A report that reached the operator is not sent twice; one refused may be sent again later.
    send.disabled = outcome === "report-sent";
  });
}

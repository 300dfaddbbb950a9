-- ARGV: process id. A process stops: its sockets leave presence; rooms live on.
return forget_process(ARGV[1])

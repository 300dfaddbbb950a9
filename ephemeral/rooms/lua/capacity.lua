-- ARGV: max rooms. 1 when no room may be created now.
return at_capacity(ARGV[1]) and 1 or 0

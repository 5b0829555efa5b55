"""Chapter 6 (stage 6): the complete server, the one operators run."""

from steps import Step

CHAPTER = 6
STAGE = 6
TITLE = "the complete server"

STEPS = [
    Step("6a", "SELECT, SWAPDB and sixteen databases",
         commands=("SELECT", "SWAPDB"),
         hint="--databases keyspaces (16), each with its own expiry table; "
              "SELECT points the connection at one, in range; DBSIZE and "
              "FLUSHDB are per database; SWAPDB swaps their contents"),
    Step("6b", "SELECT in the append-only file",
         hint="log SELECT n before a write in another database than the "
              "file's last record; after a replay or an installed rewrite "
              "the next record says SELECT again"),
    Step("6c", "CLIENT, QUIT and TIME", commands=("CLIENT", "QUIT", "TIME"),
         hint="give each connection an id, a name, its db and last command; "
              "CLIENT LIST is one line per client ending in \\n; KILL closes "
              "without a reply; QUIT replies +OK, then closes"),
    Step("6d", "HELLO and RESP3", commands=("HELLO",),
         hint="a protocol version per connection; HELLO replies 7 pairs, a "
              "map in RESP3, and a failed one changes nothing; in RESP3 a "
              "null is _, INFO and CLIENT LIST verbatim strings"),
    Step("6e", "AUTH and requirepass", commands=("AUTH",),
         hint="with requirepass, every command but AUTH, HELLO and QUIT gets "
              "NOAUTH, after the lookup and the arity check; compare every "
              "byte of the password; a failed AUTH changes nothing"),
    Step("6f", "COMMAND and INFO: the server describes itself",
         commands=("COMMAND",),
         hint="COMMAND INFO, COUNT, LIST and DOCS come from the command "
              "table (arity, flags, key positions); INFO's sections in "
              "order; a refused command is not counted"),
    Step("6g", "who may connect: maxclients, timeout, protected mode",
         hint="past maxclients, reply the error and close; the cron closes "
              "clients idle past timeout; with protected mode and no "
              "password, -DENIED and close a non-loopback client"),
    Step("6h", "the config file, and one table of parameters",
         hint="a file as first argument, its lines split like inline "
              "commands, then the options over it; one table serves the "
              "file, the command line, CONFIG GET and --help"),
    Step("6i", "threads around one lock",
         hint="--threads N loops, each serving its own connections; every "
              "command runs under one lock; a client of another thread is "
              "killed by its own loop"),
    Step("6j", "the seed's modes: echo, hexdump, remote exec",
         hint="-p PORT[-LAST] echoes TCP, -l udp datagrams, -x true logs "
              "hexdump -C, -e true runs an allowlisted program with no "
              "shell; -p N -i I is the Redis server"),
]

/* Fuzz target: the RESP request parser (stage 1).
 *
 * The input is cut into chunks at positions taken from its first bytes, and
 * fed to the parser the way a socket would deliver it, so the incremental
 * path (RESP_INCOMPLETE, then more bytes) is exercised as much as the
 * whole-buffer one. Every request parsed must stay inside the buffer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "io/resp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t step = data[0] % 16 + 1;
    data++, size--;
    resp_parser p;
    resp_parser_init(&p);
    buf query = BUF_INIT;
    for (size_t fed = 0; fed < size;) {
        size_t n = size - fed < step ? size - fed : step;
        buf_append(&query, data + fed, n);
        fed += n;
        resp_status s;
        while ((s = resp_parse(&p, buf_data(&query), buf_length(&query))) == RESP_DONE) {
            if (p.consumed == 0 || p.consumed > buf_length(&query))
                abort();
            for (int i = 0; i < p.argc; i++) {
                volatile char sink = 0;
                for (size_t k = 0; k < p.argvlen[i]; k++)
                    sink ^= p.argv[i][k];   /* every argument byte must be readable */
                (void)sink;
            }
            buf_consume(&query, p.consumed);
        }
        if (s == RESP_ERROR) {
            if (strncmp(p.error, "ERR Protocol error: ", 20) != 0)
                abort();
            break;
        }
    }
    resp_parser_free(&p);
    buf_free(&query);
    return 0;
}

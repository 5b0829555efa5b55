/* lists_more: what BLMPOP shares with LMPOP (Part II, keys; used by the
 * blocking commands). */
#ifndef LISTS_MORE_H
#define LISTS_MORE_H

#include <stdbool.h>

#include "data/list.h"
#include "server/client.h"

/* What LMPOP (or BLMPOP) was asked. */
typedef struct listsmore_mpop {
    int first_key, keys;        /* argv[first_key..first_key+keys-1] */
    enum list_where where;
    long long count;            /* 1 without COUNT */
} listsmore_mpop;

/* numkeys (at argv[numkeys_at]) key [key ...] LEFT|RIGHT [COUNT count];
 * false after an error reply. */
bool listsmore_mpop_parse(client *c, int numkeys_at, listsmore_mpop *a);
/* Pop from the list at argv[k], reply [key, [elements]], log LPOP/RPOP
 * key n, delete the key if emptied. */
void listsmore_mpop_from(client *c, int k, list *l, const listsmore_mpop *a);

#endif

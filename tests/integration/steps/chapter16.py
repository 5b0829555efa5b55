"""Chapter 16 (Part II, pub/sub): messages to whoever listens right now."""

from steps import Step

CHAPTER = 16
EXTENSION = "pubsub"
TITLE = "pub/sub: messages to whoever listens right now"

STEPS = [
    Step("16a", "SUBSCRIBE and PUBLISH", commands=("SUBSCRIBE", "PUBLISH"),
         hint="a table from channel to its subscribers; SUBSCRIBE confirms "
              "each channel with [subscribe, name, count]; PUBLISH pushes "
              "[message, channel, payload] to each subscriber, stores "
              "nothing and answers how many got it"),
    Step("16b", "UNSUBSCRIBE and the subscribed mode",
         commands=("UNSUBSCRIBE",),
         hint="a RESP2 client with a subscription may only (P|S)SUBSCRIBE, "
              "(P|S)UNSUBSCRIBE, PING (answered [pong, msg]), QUIT or RESET; "
              "UNSUBSCRIBE with no channel drops them all, or answers "
              "[unsubscribe, nil, 0] when there are none"),
    Step("16c", "patterns: PSUBSCRIBE", commands=("PSUBSCRIBE", "PUNSUBSCRIBE"),
         hint="a second table, from glob pattern to subscribers, matched "
              "with KEYS's glob at each PUBLISH; [pmessage, pattern, "
              "channel, payload]; counts are channels plus patterns"),
    Step("16d", "PUBSUB, CLIENT LIST and INFO", commands=("PUBSUB",),
         hint="PUBSUB CHANNELS [pattern], NUMSUB, NUMPAT (distinct "
              "patterns); CLIENT LIST flags=P sub= psub= ssub=; INFO stats "
              "pubsub_channels and pubsub_patterns; a closed client is "
              "forgotten"),
    Step("16e", "RESP3: pushes",
         hint="after HELLO 3, confirmations and messages are push frames "
              "('>'), and every command is allowed while subscribed: a "
              "push goes out whole, before or after a reply, never inside "
              "one"),
    Step("16f", "sharded channels", commands=("SSUBSCRIBE", "SUNSUBSCRIBE",
                                              "SPUBLISH"),
         hint="a third table, a namespace of its own: SPUBLISH reaches only "
              "SSUBSCRIBE's subscribers ([smessage, channel, payload]), "
              "never patterns; PUBSUB SHARDCHANNELS and SHARDNUMSUB"),
    Step("16g", "client-output-buffer-limit",
         hint="a subscriber that does not read piles up messages: past the "
              "pubsub class's hard limit (32mb) or its soft limit for its "
              "seconds (8mb, 60), close it; normal clients have no limit"),
    Step("16h", "subscribers on other threads",
         hint="(ours, --threads) a message for a client of another reactor "
              "goes through its outbox, in order, without blocking the "
              "publisher"),
]

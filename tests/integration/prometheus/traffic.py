"""The one place that says what the Prometheus test sends and what the test ruleset
(rules/test.yaml) makes of it. test_prometheus.py derives every expected metric value
from MESSAGES; in replay mode it also feeds these verdicts to metrics_replay."""

RULESET = {"name": "prometheus-test", "version": "1",
           "trackers": 1, "lures": 2, "allow": 0}

# A message: name, header From domain, HTML body, and what the engine must decide.
# `trackers`: (rule, action, vector, vendor-label); `vectors`: every remote resource.
MESSAGES = [
    {
        "name": "newsletter-img",
        "from": "news@shop.example",
        "html": '<html><body><p>Sale</p>'
                '<img src="https://open.tracker-one.example/o.gif?id=77" width="1" height="1">'
                '<img src="https://cdn.shop.example/logo.png" width="200" height="50">'
                '</body></html>',
        "action": "accept", "modified": True,
        "trackers": [("test-tracker-domains", "neutralize", "img", "test-tracker-domains")],
        "lures": [],
        "vectors": ["img", "img"],
    },
    {
        "name": "newsletter-background",
        "from": "news@shop.example",
        "html": '<html><body><table><tr>'
                '<td background="https://px.tracker-two.example/bg.gif">Hello</td>'
                '</tr></table><img src="https://open.tracker-one.example/p.png" alt=""></body></html>',
        "action": "accept", "modified": True,
        "trackers": [("test-tracker-domains", "neutralize", "background", "test-tracker-domains"),
                     ("test-tracker-domains", "neutralize", "img", "test-tracker-domains")],
        "lures": [],
        "vectors": ["background", "img"],
    },
    {
        "name": "plain",
        "from": "alice@partner.example",
        "html": None,
        "action": "accept", "modified": False,
        "trackers": [], "lures": [], "vectors": [],
    },
    {
        "name": "lure-reject",
        "from": "editor@lure-news.example",
        "html": '<html><body><p>Breaking news</p></body></html>',
        "action": "reject", "modified": False,
        "trackers": [], "lures": [("test-reject-lure", "header_from", "reject")],
        "vectors": None,  # refused before the body: nothing inspected
    },
    {
        "name": "lure-tempfail",
        "from": "ops@slow-lure.example",
        "html": '<html><body><p>Please retry</p></body></html>',
        "action": "tempfail", "modified": False,
        "trackers": [], "lures": [("test-tempfail-lure", "header_from", "tempfail")],
        "vectors": None,
    },
]

# Every message is sent ROUNDS times; Prometheus' increase() cannot see the first
# sample of a new series, so panels over $__range are checked on the last round only.
ROUNDS = 2

# After the last round, this many more of the named message: enough rejects that the
# PixelwardenRejectSpike guard (> 0.01/s over 10m, i.e. > 6 rejects) is passed too.
BURST = {"lure-reject": 8}


def message_bytes(m):
    """The RFC 5322 message the test sends for m (CRLF line ends)."""
    lines = [f"From: {m['from']}", "To: bob@corp.example", f"Subject: {m['name']}",
             f"Message-ID: <{m['name']}@test.example>", "MIME-Version: 1.0"]
    if m["html"] is None:
        lines += ["Content-Type: text/plain; charset=us-ascii", "", "Just text, no resources."]
    else:
        lines += ["Content-Type: text/html; charset=us-ascii", "", m["html"]]
    return ("\r\n".join(lines) + "\r\n").encode()

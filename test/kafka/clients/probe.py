"""Logs in to a (fake) Kafka cluster with a client nobody on this project wrote, and reports what it saw.

Run with Debian's /usr/bin/python3 (python3-kafka = kafka-python 2.0.2, python3-confluent-kafka =
confluent-kafka 1.7.0 on librdkafka 2.0.2). Reads one JSON object on stdin:

  client      "kafka-python" | "confluent-kafka"
  bootstrap   "host:port"
  cafile      PEM of the CA that signed the brokers' certificate
  mechanism   "SCRAM-SHA-512" | "OAUTHBEARER"
  username, password   (SCRAM)
  token       an MSK IAM token (OAUTHBEARER), made by the caller with aws-msk-iam-sasl-signer-js
  timeout     seconds to wait for a login (default 8)
  reauth      kafka-python only: after the login, send SaslAuthenticate v0 on the authenticated
              connection, then Metadata again, and report both
  unsupported_api_versions  kafka-python only: after the login, ApiVersions v9 (a future version)
  all_metadata_versions  kafka-python only: after the login, Metadata at every version the broker
              advertises (layouts above v5 from metadata_schemas.py), one named topic each

Writes one JSON object on stdout: {"ok": true, "brokers": [{"id", "host", "port"}], "controller_id",
"cluster_id", ...} or {"ok": false, "error": "...", "log": [...]}. It never decides pass or fail:
the jest test does, from this report and from what the fake broker recorded.
"""
import json
import logging
import sys
import time


class Collect(logging.Handler):
    """Keeps every log line of the client library, for the report."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append("%s %s: %s" % (record.levelname, record.name, record.getMessage()))
        except Exception:  # a client's malformed log call must not hide the result
            self.lines.append(repr(record.msg))


def kafka_python(args, log):
    from kafka import KafkaAdminClient
    from kafka.protocol.admin import SaslAuthenticateRequest
    from kafka.protocol.metadata import MetadataRequest

    class Token:
        # kafka-python's AbstractTokenProvider shape: an object with token().
        def token(self):
            return args["token"]

        def extensions(self):
            return {}

    conf = dict(
        bootstrap_servers=[args["bootstrap"]],
        client_id="probe-kafka-python",
        security_protocol="SASL_SSL",
        ssl_cafile=args["cafile"],
        sasl_mechanism=args["mechanism"],
        request_timeout_ms=int(args.get("timeout", 8) * 1000),
        api_version_auto_timeout_ms=int(args.get("timeout", 8) * 1000),
    )
    if args["mechanism"] == "OAUTHBEARER":
        conf["sasl_oauth_token_provider"] = Token()
    else:
        conf["sasl_plain_username"] = args["username"]
        conf["sasl_plain_password"] = args["password"]
    admin = KafkaAdminClient(**conf)
    try:
        md = admin.describe_cluster()
        out = {
            "ok": True,
            "brokers": sorted(({"id": b["node_id"], "host": b["host"], "port": b["port"]} for b in md["brokers"]), key=lambda b: b["id"]),
            "controller_id": md.get("controller_id"),
            "cluster_id": md.get("cluster_id"),
            "metadata_version": admin._matching_api_version(MetadataRequest),
        }
        if args.get("all_metadata_versions"):
            out["metadata_versions"] = all_metadata_versions(admin, md["brokers"][0]["node_id"], args)
        if args.get("unsupported_api_versions"):
            out["unsupported_api_versions"] = unsupported_api_versions(admin, md["brokers"][0]["node_id"], args)
        if args.get("reauth"):
            client = admin._client
            node = md["brokers"][0]["node_id"]
            # Make sure the connection is up and authenticated, then ask to authenticate again on it.
            deadline = time.time() + args.get("timeout", 8)
            while not client.ready(node) and time.time() < deadline:
                client.poll(timeout_ms=100)
            fut = client.send(node, SaslAuthenticateRequest[0](sasl_auth_bytes=b"n,,\x01auth=Bearer x\x01\x01"))
            client.poll(future=fut, timeout_ms=int(args.get("timeout", 8) * 1000))
            if fut.succeeded():
                r = fut.value
                out["reauth"] = {"error_code": r.error_code, "error_message": r.error_message}
            else:
                out["reauth"] = {"failed": repr(fut.exception)}
            # Give a closing broker the chance to be seen as closed before the next request.
            client.poll(timeout_ms=300)
            out["still_connected"] = client.is_ready(node)
            fut = client.send(node, MetadataRequest[1](topics=None))
            client.poll(future=fut, timeout_ms=int(args.get("timeout", 8) * 1000))
            out["metadata_after_reauth"] = "ok" if fut.succeeded() else repr(fut.exception)
        return out
    finally:
        admin.close()


def all_metadata_versions(admin, node, args):
    """Metadata at every version the broker advertises, on kafka-python's authenticated connection."""
    import metadata_schemas

    client = admin._client
    low, high = client.get_api_versions()[3]
    out = {"advertised": [low, high], "versions": {}}
    for version in range(low, high + 1):
        if version not in metadata_schemas.REQUESTS:
            out["versions"][version] = {"ok": False, "error": "no layout for this version in metadata_schemas.py"}
            continue
        deadline = time.time() + args.get("timeout", 8)
        while not client.ready(node) and time.time() < deadline:
            client.poll(timeout_ms=100)  # reconnects (and logs in again) if the broker hung up
        fut = client.send(node, metadata_schemas.metadata_request(version, "probe-no-such-topic"))
        client.poll(future=fut, timeout_ms=int(args.get("timeout", 8) * 1000))
        if fut.succeeded():
            out["versions"][version] = dict(ok=True, **metadata_schemas.summary(fut.value))
        else:
            out["versions"][version] = {"ok": False, "error": repr(fut.exception)}
    return out


def unsupported_api_versions(admin, node, args):
    """ApiVersions at a future version (v9; laid out as v3-v4 are, flexible per ApiVersionsRequest.json), read as
    the v0 reply Kafka sends then (RequestContext.apiVersion) with kafka-python's own v0 layout."""
    from kafka.protocol.admin import ApiVersionResponse
    from kafka.protocol.api import Request, Response
    import metadata_schemas as m

    reply = type("ApiVersionsErrorReply", (Response,), {
        "API_KEY": 18, "API_VERSION": 0,
        "SCHEMA": m.Schema(*(list(zip(ApiVersionResponse[0].SCHEMA.names, ApiVersionResponse[0].SCHEMA.fields)) + [("_end", m.End)])),
    })
    request = type("ApiVersionsRequest_v9", (Request,), {
        "API_KEY": 18, "API_VERSION": 9, "RESPONSE_TYPE": reply,
        "SCHEMA": m.Schema(("_header_tags", m.TaggedFields), ("client_software_name", m.CompactString()),
                           ("client_software_version", m.CompactString()), ("_tags", m.TaggedFields)),
    })
    client = admin._client
    deadline = time.time() + args.get("timeout", 8)
    while not client.ready(node) and time.time() < deadline:
        client.poll(timeout_ms=100)
    fut = client.send(node, request(_header_tags={}, client_software_name="probe", client_software_version="1", _tags={}))
    client.poll(future=fut, timeout_ms=int(args.get("timeout", 8) * 1000))
    if not fut.succeeded():
        return {"failed": repr(fut.exception)}
    return {"error_code": fut.value.error_code, "api_versions": [list(a) for a in fut.value.api_versions]}


def confluent(args, log):
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient
    import confluent_kafka

    errors = []
    logger = logging.getLogger("librdkafka")
    conf = {
        "bootstrap.servers": args["bootstrap"],
        "client.id": "probe-confluent-kafka",
        "security.protocol": "SASL_SSL",
        "ssl.ca.location": args["cafile"],
        "sasl.mechanisms": args["mechanism"],
        "error_cb": lambda err: errors.append(str(err)),
        "logger": logger,
        "debug": "security,protocol,broker",
        # One login attempt per broker is enough to tell.
        "reconnect.backoff.ms": 5000,
        "reconnect.backoff.max.ms": 5000,
    }
    if args["mechanism"] == "OAUTHBEARER":
        # confluent-kafka 1.7.0: oauth_cb returns (token, expiry in seconds since the epoch).
        conf["oauth_cb"] = lambda _config: (args["token"], time.time() + 900)
    else:
        conf["sasl.username"] = args["username"]
        conf["sasl.password"] = args["password"]
    admin = AdminClient(conf)
    deadline = time.time() + args.get("timeout", 8)
    last = None
    while time.time() < deadline:
        admin.poll(0.2)  # serves oauth_cb and error_cb
        if any("Authentication" in e or "SASL" in e for e in errors):
            break
        try:
            md = admin.list_topics(timeout=1)
            drain(admin)
            return {
                "ok": True,
                "brokers": sorted(({"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()), key=lambda b: b["id"]),
                "controller_id": md.controller_id,
                "cluster_id": md.cluster_id,
                "librdkafka": confluent_kafka.libversion()[0],
                "errors": errors,
            }
        except KafkaException as e:
            last = str(e)
    drain(admin)
    return {"ok": False, "error": "; ".join(errors) or last or "timed out", "errors": errors}


def drain(admin):
    """librdkafka queues its log lines for the application thread: serve them before reporting."""
    for _ in range(5):
        admin.poll(0.1)


def main():
    args = json.load(sys.stdin)
    collect = Collect()
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    root.addHandler(collect)
    try:
        run = {"kafka-python": kafka_python, "confluent-kafka": confluent}[args["client"]]
        out = run(args, collect)
    except Exception as e:  # a refused login surfaces here for kafka-python
        out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    out["log"] = collect.lines[-2000:]
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

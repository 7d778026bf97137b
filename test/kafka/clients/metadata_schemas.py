"""Metadata v6-v12 for kafka-python 2.0.2, whose own classes stop at v5.

kafka-python has no client that sends Metadata above v5 and librdkafka 2.0.2 stops at v4, yet a
broker must serve every version it advertises (KIP-35) and the Java client picks the broker's
maximum. These classes let kafka-python's own connection, SASL login, framing and primitive types
carry the higher versions. Layouts written from Kafka's clients/src/main/resources/common/message/
MetadataRequest.json and MetadataResponse.json (validVersions 0-12, flexibleVersions 9+), and the
flexible encodings of KIP-482 (unsigned varints, compact strings/arrays, tagged fields), here in
python on purpose: independent of the fake broker's TypeScript codec.

A flexible request uses request header v2 (client_id stays a classic nullable string, then tagged
fields) and a flexible response uses response header v1 (correlation id, then tagged fields).
kafka-python writes header v1 and reads only the correlation id, so the extra header tagged-field
sections are the first field of each flexible schema below. Every response schema ends with End,
which fails the decode when bytes are left over.
"""
from kafka.protocol.api import Request, Response
from kafka.protocol.metadata import MetadataRequest, MetadataResponse
from kafka.protocol.types import AbstractType, Array, Boolean, Int16, Int32, Schema, String


class UnsignedVarInt(AbstractType):
    @classmethod
    def encode(cls, value):
        out = bytearray()
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
        return bytes(out)

    @classmethod
    def decode(cls, data):
        value, shift = 0, 0
        while True:
            b = data.read(1)
            if not b:
                raise ValueError("truncated varint")
            value |= (b[0] & 0x7F) << shift
            if not b[0] & 0x80:
                return value
            shift += 7
            if shift > 28:
                raise ValueError("varint too long")


class CompactString(AbstractType):
    """COMPACT_STRING / COMPACT_NULLABLE_STRING: length + 1 as an unsigned varint, 0 = null."""

    def __init__(self, nullable=False):
        self.nullable = nullable

    def encode(self, value):
        if value is None:
            if not self.nullable:
                raise ValueError("null in a non-nullable compact string")
            return UnsignedVarInt.encode(0)
        raw = value.encode("utf-8")
        return UnsignedVarInt.encode(len(raw) + 1) + raw

    def decode(self, data):
        n = UnsignedVarInt.decode(data)
        if n == 0:
            if not self.nullable:
                raise ValueError("null in a non-nullable compact string")
            return None
        raw = data.read(n - 1)
        if len(raw) != n - 1:
            raise ValueError("truncated compact string")
        return raw.decode("utf-8")

    def repr(self, value):
        return repr(value)


class CompactArray(Array):
    """COMPACT_ARRAY: count + 1 as an unsigned varint, 0 = null."""

    def encode(self, items):
        if items is None:
            return UnsignedVarInt.encode(0)
        return UnsignedVarInt.encode(len(items) + 1) + b"".join(self.array_of.encode(i) for i in items)

    def decode(self, data):
        n = UnsignedVarInt.decode(data)
        if n == 0:
            return None
        return [self.array_of.decode(data) for _ in range(n - 1)]


class TaggedFields(AbstractType):
    """A tagged-field section: count, then (tag, size, bytes) each. Sent empty; read and kept."""

    @classmethod
    def encode(cls, value):
        return UnsignedVarInt.encode(0)

    @classmethod
    def decode(cls, data):
        fields = {}
        for _ in range(UnsignedVarInt.decode(data)):
            tag = UnsignedVarInt.decode(data)
            size = UnsignedVarInt.decode(data)
            fields[tag] = data.read(size)
        return fields

    @classmethod
    def repr(cls, value):
        return repr(value)


class Uuid(AbstractType):
    @classmethod
    def encode(cls, value):
        return value or bytes(16)

    @classmethod
    def decode(cls, data):
        raw = data.read(16)
        if len(raw) != 16:
            raise ValueError("truncated uuid")
        return raw

    @classmethod
    def repr(cls, value):
        return value.hex()


class End(AbstractType):
    """Fails the decode if the response has bytes its layout does not account for."""

    @classmethod
    def encode(cls, value):
        return b""

    @classmethod
    def decode(cls, data):
        rest = data.read()
        if rest:
            raise ValueError("%d bytes left over after the response: %r" % (len(rest), rest[:40]))
        return None


def _request(version, schema, response):
    return type("MetadataRequest_v%d" % version, (Request,), {"API_KEY": 3, "API_VERSION": version, "SCHEMA": schema, "RESPONSE_TYPE": response})


def _response(version, schema):
    return type("MetadataResponse_v%d" % version, (Response,), {"API_KEY": 3, "API_VERSION": version, "SCHEMA": Schema(*(schema + [("_end", End)]))})


def _classic(version):
    """v6-v8: the classic encoding. v7 adds the partitions' leader_epoch, v8 authorized operations."""
    partition = [("error_code", Int16), ("partition", Int32), ("leader", Int32)]
    if version >= 7:
        partition.append(("leader_epoch", Int32))
    partition += [("replicas", Array(Int32)), ("isr", Array(Int32)), ("offline_replicas", Array(Int32))]
    topic = [("error_code", Int16), ("topic", String("utf-8")), ("is_internal", Boolean), ("partitions", Array(*partition))]
    if version >= 8:
        topic.append(("topic_authorized_operations", Int32))
    fields = [
        ("throttle_time_ms", Int32),
        ("brokers", Array(("node_id", Int32), ("host", String("utf-8")), ("port", Int32), ("rack", String("utf-8")))),
        ("cluster_id", String("utf-8")),
        ("controller_id", Int32),
        ("topics", Array(*topic)),
    ]
    if version >= 8:
        fields.append(("cluster_authorized_operations", Int32))
    req = [("topics", Array(String("utf-8"))), ("allow_auto_topic_creation", Boolean)]
    if version >= 8:
        req += [("include_cluster_authorized_operations", Boolean), ("include_topic_authorized_operations", Boolean)]
    return _request(version, Schema(*req), _response(version, fields))


def _flexible(version):
    """v9+: compact encodings and tagged fields; v10 adds topic ids, v11 drops cluster operations, v12 nullable names."""
    tags = ("_tags", TaggedFields)
    partition = Schema(
        ("error_code", Int16), ("partition", Int32), ("leader", Int32), ("leader_epoch", Int32),
        ("replicas", CompactArray(Int32)), ("isr", CompactArray(Int32)), ("offline_replicas", CompactArray(Int32)), tags,
    )
    topic = [("error_code", Int16), ("topic", CompactString(nullable=version >= 12))]
    if version >= 10:
        topic.append(("topic_id", Uuid))
    topic += [("is_internal", Boolean), ("partitions", CompactArray(partition)), ("topic_authorized_operations", Int32), tags]
    fields = [
        ("_header_tags", TaggedFields),  # response header v1
        ("throttle_time_ms", Int32),
        ("brokers", CompactArray(Schema(("node_id", Int32), ("host", CompactString()), ("port", Int32), ("rack", CompactString(nullable=True)), tags))),
        ("cluster_id", CompactString(nullable=True)),
        ("controller_id", Int32),
        ("topics", CompactArray(Schema(*topic))),
    ]
    if version <= 10:
        fields.append(("cluster_authorized_operations", Int32))
    fields.append(tags)
    req_topic = Schema(("topic_id", Uuid), ("topic", CompactString(nullable=True)), tags) if version >= 10 else Schema(("topic", CompactString()), tags)
    req = [("_header_tags", TaggedFields), ("topics", CompactArray(req_topic)), ("allow_auto_topic_creation", Boolean)]
    if version <= 10:
        req.append(("include_cluster_authorized_operations", Boolean))
    req += [("include_topic_authorized_operations", Boolean), tags]
    return _request(version, Schema(*req), _response(version, fields))


REQUESTS = {v: MetadataRequest[v] for v in range(len(MetadataRequest))}
REQUESTS.update({v: _classic(v) for v in (6, 7, 8)})
REQUESTS.update({v: _flexible(v) for v in (9, 10, 11, 12)})


def metadata_request(version, topic):
    """Metadata for one named topic, at `version`."""
    cls = REQUESTS[version]
    if version == 0 or (1 <= version <= 3):
        return cls(topics=[topic])
    if version <= 7:
        return cls(topics=[topic], allow_auto_topic_creation=False)
    if version == 8:
        return cls(topics=[topic], allow_auto_topic_creation=False, include_cluster_authorized_operations=False, include_topic_authorized_operations=False)
    names = {"_header_tags": {}, "_tags": {}, "allow_auto_topic_creation": False, "include_topic_authorized_operations": False}
    names["topics"] = [(None, topic, {})] if version >= 10 else [(topic, {})]
    if version <= 10:
        names["include_cluster_authorized_operations"] = False
    return cls(**names)


def summary(response):
    """Brokers, controller, cluster id and the topics' (name, error) from any version's response."""
    d = response.__dict__
    brokers = [{"id": b[0], "host": b[1], "port": b[2]} for b in d["brokers"]]
    return {
        "brokers": sorted(brokers, key=lambda b: b["id"]),
        "controller_id": d.get("controller_id"),
        "cluster_id": d.get("cluster_id"),
        "topics": [{"error_code": t[0], "name": t[1]} for t in d["topics"]],
    }

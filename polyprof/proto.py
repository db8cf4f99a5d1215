"""The pprof profile.proto schema, declared in code by this project.

We describe the messages field by field (numbers from the format reference)
and let the protobuf runtime build classes from that description, so decoding
runs in protobuf's C backend (upb) without shipping or compiling a .proto file.
proto3 parsers accept packed and unpacked repeated scalars alike, which Go's
writer mixes (it packs only fields with more than two elements).
"""

from __future__ import annotations

import functools
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto
_REPEATED = _F.LABEL_REPEATED
_OPTIONAL = _F.LABEL_OPTIONAL

PACKAGE = "polyprof.pprof"

# message -> [(field name, number, type, label, message type name or None)]
_MESSAGES: dict[str, list[tuple[str, int, int, int, str | None]]] = {
    "Profile": [
        ("sample_type", 1, _F.TYPE_MESSAGE, _REPEATED, "ValueType"),
        ("sample", 2, _F.TYPE_MESSAGE, _REPEATED, "Sample"),
        ("mapping", 3, _F.TYPE_MESSAGE, _REPEATED, "Mapping"),
        ("location", 4, _F.TYPE_MESSAGE, _REPEATED, "Location"),
        ("function", 5, _F.TYPE_MESSAGE, _REPEATED, "Function"),
        ("string_table", 6, _F.TYPE_STRING, _REPEATED, None),
        ("drop_frames", 7, _F.TYPE_INT64, _OPTIONAL, None),
        ("keep_frames", 8, _F.TYPE_INT64, _OPTIONAL, None),
        ("time_nanos", 9, _F.TYPE_INT64, _OPTIONAL, None),
        ("duration_nanos", 10, _F.TYPE_INT64, _OPTIONAL, None),
        ("period_type", 11, _F.TYPE_MESSAGE, _OPTIONAL, "ValueType"),
        ("period", 12, _F.TYPE_INT64, _OPTIONAL, None),
        ("comment", 13, _F.TYPE_INT64, _REPEATED, None),
        ("default_sample_type", 14, _F.TYPE_INT64, _OPTIONAL, None),
        ("doc_url", 15, _F.TYPE_INT64, _OPTIONAL, None),
    ],
    "ValueType": [
        ("type", 1, _F.TYPE_INT64, _OPTIONAL, None),
        ("unit", 2, _F.TYPE_INT64, _OPTIONAL, None),
    ],
    "Sample": [
        ("location_id", 1, _F.TYPE_UINT64, _REPEATED, None),
        ("value", 2, _F.TYPE_INT64, _REPEATED, None),
        ("label", 3, _F.TYPE_MESSAGE, _REPEATED, "Label"),
    ],
    "Label": [
        ("key", 1, _F.TYPE_INT64, _OPTIONAL, None),
        ("str", 2, _F.TYPE_INT64, _OPTIONAL, None),
        ("num", 3, _F.TYPE_INT64, _OPTIONAL, None),
        ("num_unit", 4, _F.TYPE_INT64, _OPTIONAL, None),
    ],
    "Mapping": [
        ("id", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("memory_start", 2, _F.TYPE_UINT64, _OPTIONAL, None),
        ("memory_limit", 3, _F.TYPE_UINT64, _OPTIONAL, None),
        ("file_offset", 4, _F.TYPE_UINT64, _OPTIONAL, None),
        ("filename", 5, _F.TYPE_INT64, _OPTIONAL, None),
        ("build_id", 6, _F.TYPE_INT64, _OPTIONAL, None),
        ("has_functions", 7, _F.TYPE_BOOL, _OPTIONAL, None),
        ("has_filenames", 8, _F.TYPE_BOOL, _OPTIONAL, None),
        ("has_line_numbers", 9, _F.TYPE_BOOL, _OPTIONAL, None),
        ("has_inline_frames", 10, _F.TYPE_BOOL, _OPTIONAL, None),
    ],
    "Location": [
        ("id", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("mapping_id", 2, _F.TYPE_UINT64, _OPTIONAL, None),
        ("address", 3, _F.TYPE_UINT64, _OPTIONAL, None),
        ("line", 4, _F.TYPE_MESSAGE, _REPEATED, "Line"),
        ("is_folded", 5, _F.TYPE_BOOL, _OPTIONAL, None),
    ],
    "Line": [
        ("function_id", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("line", 2, _F.TYPE_INT64, _OPTIONAL, None),
        ("column", 3, _F.TYPE_INT64, _OPTIONAL, None),
    ],
    "Function": [
        ("id", 1, _F.TYPE_UINT64, _OPTIONAL, None),
        ("name", 2, _F.TYPE_INT64, _OPTIONAL, None),
        ("system_name", 3, _F.TYPE_INT64, _OPTIONAL, None),
        ("filename", 4, _F.TYPE_INT64, _OPTIONAL, None),
        ("start_line", 5, _F.TYPE_INT64, _OPTIONAL, None),
    ],
}


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    fdp = descriptor_pb2.FileDescriptorProto(
        name="polyprof/pprof_profile.proto", package=PACKAGE, syntax="proto3"
    )
    for message, fields in _MESSAGES.items():
        msg = fdp.message_type.add(name=message)
        for name, number, ftype, label, type_name in fields:
            field = msg.field.add(name=name, number=number, type=ftype, label=label)
            if type_name:
                field.type_name = f".{PACKAGE}.{type_name}"
    return fdp


@functools.cache
def messages() -> dict[str, Any]:
    """Message classes by name, built once per process."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(_file_descriptor())
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.{name}"))
        for name in _MESSAGES
    }


def _batch_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """A view of the same bytes for bulk decoding.

    Samples and locations are declared as raw bytes, so they come out of the
    C parser without a Python object each; we then join them with sentinel
    fields and parse the join as ONE Sample (or Location). Protobuf merges
    concatenated messages by appending repeated fields, so a single parse
    yields every location id of every sample, split at the sentinels. A
    Location's lines stay raw too, and all of them parse as one Line whose
    function ids come out as one repeated field.
    """
    fdp = _file_descriptor()
    fdp.name = "polyprof/pprof_batch.proto"
    fdp.package = PACKAGE + ".batch"
    for msg in fdp.message_type:
        for field in msg.field:
            if field.type_name:
                field.type_name = field.type_name.replace(PACKAGE, fdp.package)
            if msg.name == "Profile" and field.name in ("sample", "location", "function"):
                field.type = _F.TYPE_BYTES
                field.ClearField("type_name")
            if msg.name == "Location" and field.name in ("id", "mapping_id"):
                field.label = _REPEATED
            if msg.name == "Location" and field.name == "line":
                field.type = _F.TYPE_BYTES
                field.ClearField("type_name")
            if msg.name == "Line" and field.name in ("function_id", "line"):
                field.label = _REPEATED
            if msg.name == "Function":
                field.label = _REPEATED
    return fdp


@functools.cache
def batch_messages() -> dict[str, Any]:
    pool = descriptor_pool.DescriptorPool()
    fdp = _batch_descriptor()
    pool.Add(fdp)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{fdp.package}.{name}"))
        for name in _MESSAGES
    }

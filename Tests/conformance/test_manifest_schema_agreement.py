"""docs/manifest.schema.json and `porter-fleet apply --dry-run` judge every manifest alike.

Every example (manifests/examples), every fixture (Tests/**/Fixtures) and a corpus of documents, valid and
invalid, is given to both: to the JSON Schema through Python's `jsonschema`, reading YAML as porter-fleet
does (the YAML 1.2 core schema, unique keys), and to `apply --dry-run` against a store that does not exist.
Both must accept it or both refuse it. Where the schema cannot express a rule apply checks, the document is
listed under one of the documented EXCEPTIONS below, with the reason; such a document must be accepted by the
schema and refused by apply, so the list cannot hide anything else, and the schema's descriptions must state
each exception's rule.

A file is valid for the schema when it is UTF-8 YAML holding at least one document that is not null, and
every document matches the schema (a list document, as `export -o json` writes, is a list of manifests).
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, _binary

try:
    import jsonschema
    import yaml
except ImportError as missing:  # pragma: no cover - reported by every test below
    MISSING = missing
else:
    MISSING = None

SCHEMA_PATH = ROOT / "docs" / "manifest.schema.json"


def require_tools() -> None:
    """Fails (never skips) when the schema cannot be checked here, saying how to fix it."""
    if MISSING is not None:
        pytest.fail(
            f"the manifest schema cannot be checked: {MISSING}. Install the tools with "
            "`python3 -m pip install -r Tests/conformance/requirements.txt` (jsonschema and PyYAML); "
            "scripts/test does this itself."
        )
    if not Path(_binary()).exists():
        pytest.fail(f"no porter-fleet binary at {_binary()}: run `swift build` (or set PORTER_FLEET_BIN)")


# Reading YAML as porter-fleet does -------------------------------------------------------------------------

CORE = "tag:yaml.org,2002:"
NULLS = {"", "~", "null", "Null", "NULL"}
TRUES = {"true", "True", "TRUE"}
FALSES = {"false", "False", "FALSE"}
SPECIAL_FLOATS = {
    **{text: math.inf for text in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{text: -math.inf for text in ("-.inf", "-.Inf", "-.INF")},
    **{text: math.nan for text in (".nan", ".NaN", ".NAN")},
}
INTEGER = re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z")
FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")

if MISSING is None:
    from yaml.constructor import ConstructorError

    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    try:  # libyaml's parser, the one porter-fleet reads YAML with (through Yams)
        from yaml.cyaml import CParser as Parser
    except ImportError:  # pragma: no cover
        from yaml.parser import Parser as _Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class Parser(Reader, Scanner, _Parser):
            def __init__(self, stream):
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                _Parser.__init__(self)

    class CoreSchemaLoader(Composer, Parser, SafeConstructor, Resolver):
        """YAML 1.2 core schema (so `yes` is a string and `0o17` an integer), mapping keys taken as the text
        written (as JSON keys are strings) and refused when repeated, and only the core tags."""

        yaml_implicit_resolvers: dict = {}  # none of YAML 1.1's (yes, 1_000, timestamps, <<): resolve() types scalars
        yaml_constructors: dict = {}

        def __init__(self, stream):
            Parser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def resolve(self, kind, value, implicit):
            if kind is yaml.ScalarNode and implicit[0]:
                if value in NULLS:
                    return CORE + "null"
                if value in TRUES or value in FALSES:
                    return CORE + "bool"
                if value in SPECIAL_FLOATS:
                    return CORE + "float"
                if INTEGER.match(value):
                    return CORE + "int"
                if FLOAT.match(value):
                    return CORE + "float"
            return super().resolve(kind, value, implicit)

        def compose_scalar_node(self, anchor):
            # YAML's non-specific tag `!` makes a scalar a string, whatever it looks like (PyYAML would type
            # it as if it were plain).
            if self.peek_event().tag != "!":
                return super().compose_scalar_node(anchor)
            event = self.get_event()
            node = yaml.ScalarNode(CORE + "str", event.value, event.start_mark, event.end_mark, style=event.style)
            if anchor is not None:
                self.anchors[anchor] = node
            return node

    def _scalar(loader, node, what, accepts, convert):
        if not isinstance(node, yaml.ScalarNode) or not accepts(node.value):
            raise ConstructorError(None, None, f"{node.value!r} is not a valid {what}", node.start_mark)
        return convert(node.value)

    def _integer(text: str) -> int:
        if text.startswith("0x"):
            return int(text[2:], 16)
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text)

    def _mapping(loader, node):
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        result = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConstructorError(None, None, "a mapping key is not a scalar", key_node.start_mark)
            loader.construct_object(key_node, deep=True)  # refuses keys with tags that do not fit
            if key_node.value in result:
                raise ConstructorError(None, None, f"{key_node.value!r} is given twice", key_node.start_mark)
            result[key_node.value] = loader.construct_object(value_node, deep=True)
        return result

    def _sequence(loader, node):
        if not isinstance(node, yaml.SequenceNode):
            raise ConstructorError(None, None, "expected a list", node.start_mark)
        return [loader.construct_object(item, deep=True) for item in node.value]

    def _undefined(loader, node):
        raise ConstructorError(None, None, f"the tag {node.tag!r} is not supported", node.start_mark)

    CoreSchemaLoader.add_constructor(CORE + "null", lambda l, n: _scalar(l, n, "!!null", NULLS.__contains__, lambda _: None))
    CoreSchemaLoader.add_constructor(CORE + "bool", lambda l, n: _scalar(l, n, "!!bool", (TRUES | FALSES).__contains__, TRUES.__contains__))
    CoreSchemaLoader.add_constructor(CORE + "int", lambda l, n: _scalar(l, n, "!!int", INTEGER.match, _integer))
    CoreSchemaLoader.add_constructor(
        CORE + "float",
        lambda l, n: _scalar(l, n, "!!float", lambda t: t in SPECIAL_FLOATS or FLOAT.match(t), lambda t: SPECIAL_FLOATS[t] if t in SPECIAL_FLOATS else float(t)),
    )
    CoreSchemaLoader.add_constructor(CORE + "str", lambda l, n: _scalar(l, n, "!!str", lambda _: True, str))
    CoreSchemaLoader.add_constructor(CORE + "map", _mapping)
    CoreSchemaLoader.add_constructor(CORE + "seq", _sequence)
    CoreSchemaLoader.add_constructor(None, _undefined)


def schema_verdict(data: bytes) -> tuple[bool, str]:
    """(accepted, why not) of a whole file by the published JSON Schema."""
    if b"\0" in data:
        return False, "not text"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return False, f"not UTF-8: {error}"
    loader = CoreSchemaLoader(text)
    documents = []
    try:
        while loader.check_data():
            documents.append(loader.get_data())
    except yaml.YAMLError as error:
        return False, f"YAML: {error}"
    finally:
        loader.dispose()
    documents = [document for document in documents if document is not None]
    if not documents:
        return False, "no documents"
    validator = jsonschema.Draft202012Validator(schema())
    for document in documents:
        error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        if error is not None:
            return False, f"{'/'.join(map(str, error.absolute_path))}: {error.message}"[:300]
    return True, ""


_schema_cache: dict = {}


def schema() -> dict:
    if "schema" not in _schema_cache:
        import json

        _schema_cache["schema"] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return _schema_cache["schema"]


def apply_verdict(path: Path, name_prefix: str = "") -> tuple[bool, str]:
    """(accepted, stderr) of `porter-fleet apply --dry-run -f PATH` against an empty store: exit 0 or 2
    accepts (nothing or something would change), exit 1 refuses."""
    with tempfile.TemporaryDirectory(prefix="porter-fleet-schema-") as directory:
        database = Path(directory) / "fleet.db"
        environment = {key: value for key, value in os.environ.items() if key != "PORTER_FLEET_DB"} | {"NO_COLOR": "1"}
        if name_prefix:
            subprocess.run([_binary(), "settings", "--name-prefix", name_prefix, "--db", str(database)], check=True, capture_output=True, env=environment)
        result = subprocess.run(
            [_binary(), "apply", "--dry-run", "-f", str(path), "--db", str(database)],
            capture_output=True, text=True, env=environment, cwd=directory, timeout=60,
        )
    assert result.returncode in (0, 1, 2), f"apply exited {result.returncode}: {result.stderr}"
    return result.returncode != 1, result.stderr


# The documented exceptions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exception_:
    reason: str
    schema_says: str  # what the schema's descriptions say about the rule


EXCEPTIONS = {
    "set-name-by-replicas": Exception_(
        "a SandboxSet name leaves room for `-<index>`, whose length depends on replicas; the schema states the "
        "limit for 10 replicas or fewer",
        "with more than 10 replicas the limit is one less for each further digit",
    ),
    "name-prefix": Exception_(
        "every name leaves room for the fleet's name_prefix, which is in the store, not in the document",
        "the fleet's name_prefix shortens the limit",
    ),
    "volume-scope": Exception_(
        "a store with scoped volume names (every new store) puts a 7-character scope in every volume name; the "
        "naming is a store setting, so the schema states the limit of plain names",
        "in a store with scoped volume names (every new store) the limit is 56",
    ),
    "duplicate-resource": Exception_(
        "a kind and name are declared once across documents and files; a schema sees one document",
        "a kind and name are declared once across all files applied together",
    ),
    "undeclared-volume": Exception_(
        "a mount names a Volume declared in the same apply or already in the store",
        "each Volume is declared in the same apply or is already in the desired state",
    ),
    "resource-size": Exception_(
        "a resource is at most 1 MiB (a file 64 MiB), YAML aliases counted as what they repeat; JSON Schema "
        "has no notion of a document's size",
        "a resource at most 1 MiB",
    ),
    "quantity-as-yaml-number": Exception_(
        "apply reads a quantity written as a YAML number by its text, by Kubernetes' grammar; JSON Schema sees "
        "only the number YAML makes of it (0x10 is 16)",
        "a YAML number is read by its text, as written",
    ),
    "tag-value-number-length": Exception_(
        "a tag value written as a YAML number counts by its text; JSON Schema's maxLength applies to strings only",
        "a YAML number counts by its text, as written",
    ),
}


# The corpus ---------------------------------------------------------------------------------------------

HEAD = "apiVersion: porter-fleet/v1\n"


def sandbox(spec: str, name: str = "api", tags: str = "") -> str:
    body = "".join(f"  {line}\n" for line in spec.splitlines())
    return f"{HEAD}kind: Sandbox\nname: {name}\n{tags}spec:\n{body}"


def sandbox_set(replicas: str, name: str = "workers", template: str = "{image: x}") -> str:
    return f"{HEAD}kind: SandboxSet\nname: {name}\nspec:\n  replicas: {replicas}\n  template: {template}\n"


def volume(spec: str | None = "{}", name: str = "data") -> str:
    return f"{HEAD}kind: Volume\nname: {name}\n" + ("" if spec is None else f"spec: {spec}\n")


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    valid: bool
    exception: str | None = None
    apply_says: str = ""  # for an exception: part of apply's message, so it is refused for that reason
    name_prefix: str = ""


def quantity(name: str, field: str, value: str, valid: bool, **more) -> Case:
    return Case(name, sandbox(f"image: x\nresources: {{{field}: {value}}}"), valid, **more)


CORPUS = [
    # The issue: where the schema and apply used to disagree.
    Case("image-and-snapshot", sandbox("image: x\nsnapshot_id: snap-1"), False),
    Case("no-image", sandbox("command: [sleep, '1']"), False),
    Case("snapshot-only", sandbox("snapshot_id: snap-1"), True),
    Case("empty-image", sandbox('image: ""'), False),
    Case("empty-snapshot", sandbox('snapshot_id: ""'), False),
    Case("empty-image-with-snapshot", sandbox('image: ""\nsnapshot_id: snap-1'), False),
    Case("relative-mount-path", volume() + "---\n" + sandbox("image: x\nvolume_mounts: {data: data}"), False),
    Case("set-name-62", sandbox_set("3", name="s" * 62), False),
    Case("port-80", sandbox("image: x\nnetworking: [{port: 80}]"), False),
    Case("env-number", sandbox("image: x\nenv: {A: 1, B: true, C: 1.5, D: 0x1F, E: '2'}"), True),
    quantity("cpu-lots", "cpu", "lots", False),
    quantity("memory-1Zb", "memory", "1Zb", False),
    # Kubernetes quantities.
    *[quantity(f"cpu-{value}", "cpu", value, True) for value in ("500m", "2", "0.5", "'0.5'", "100u", "1.", ".5", "+1")],
    *[quantity(f"memory-{value}", "memory", value, True) for value in ("512Mi", "1Gi", "1G", "1e9", "1E9", "1.5Gi", "128974848", "1E", "1e+3", "'1e9'")],
    *[quantity(f"cpu-bad-{label}", "cpu", value, False) for label, value in (("zero", "0"), ("zero-float", "0.0"), ("zero-milli", "0m"),
        ("negative", "-1"), ("negative-string", "'-1'"), ("kilo-upper", "1K"), ("bare-exponent", "1e"), ("empty", "''"), ("true", "true"),
        ("null", "~"), ("space", "' 1'"), ("newline", '"1\\n"'), ("two-dots", "1.5.0"), ("dot", "'.'"), ("list", "[1]"))],
    # The image, names and lengths.
    Case("image-1024", sandbox("image: " + "i" * 1024), True),
    Case("image-1025", sandbox("image: " + "i" * 1025), False),
    Case("image-number", sandbox("image: 5"), False),
    Case("image-quoted-number", sandbox("image: '5'"), True),
    Case("image-nul", sandbox('image: "busy\\0box"'), False),
    Case("sandbox-name-55", sandbox("image: x", name="a" * 55), True),
    Case("sandbox-name-56", sandbox("image: x", name="a" * 56), False),
    Case("volume-name-56", volume(name="v" * 56), True),
    Case("volume-name-64", volume(name="v" * 64), False),
    Case("set-name-53", sandbox_set("10", name="s" * 53), True),
    Case("set-name-54", sandbox_set("10", name="s" * 54), False),
    Case("name-uppercase", sandbox("image: x", name="Api"), False),
    Case("name-trailing-hyphen", sandbox("image: x", name="api-"), False),
    Case("name-newline", sandbox("image: x", name='"api\\n"'), False),
    Case("name-number", sandbox("image: x", name="123"), False),
    # Tags.
    Case("tags-60", volume() .replace("name: data\n", "name: data\ntags: {" + ", ".join(f"t{i}: v" for i in range(60)) + "}\n"), True),
    Case("tags-61", volume().replace("name: data\n", "name: data\ntags: {" + ", ".join(f"t{i}: v" for i in range(61)) + "}\n"), False),
    Case("tag-reserved-prefix", sandbox("image: x", tags="tags: {porter-fleet/name: x}\n"), False),
    Case("tag-key-prefixed", sandbox("image: x", tags="tags: {example.com/team: ml}\n"), True),
    Case("tag-key-uppercase-prefix", sandbox("image: x", tags="tags: {Example.com/team: ml}\n"), False),
    Case("tag-key-two-slashes", sandbox("image: x", tags="tags: {a/b/c: ml}\n"), False),
    Case("tag-key-number", sandbox("image: x", tags="tags: {1: ml}\n"), True),
    Case("tag-value-63", sandbox("image: x", tags=f"tags: {{team: {'x' * 63}}}\n"), True),
    Case("tag-value-64", sandbox("image: x", tags=f"tags: {{team: {'x' * 64}}}\n"), False),
    Case("tag-value-accented-63", sandbox("image: x", tags=f"tags: {{team: \"{'é' * 63}\"}}\n"), True),
    Case("tag-value-control", sandbox("image: x", tags='tags: {team: "a\\ebc"}\n'), False),
    Case("tag-value-number", sandbox("image: x", tags="tags: {tier: 1, canary: true}\n"), True),
    Case("tag-value-null", sandbox("image: x", tags="tags: {tier: ~}\n"), False),
    # Environment, mounts, lists.
    Case("env-bad-key", sandbox("image: x\nenv: {1BAD: x}"), False),
    Case("env-number-key", sandbox("image: x\nenv: {1: x}"), False),
    Case("env-null", sandbox("image: x\nenv: {A: ~}"), False),
    Case("env-nul", sandbox('image: x\nenv: {A: "x\\0y"}'), False),
    Case("env-list", sandbox("image: x\nenv: [A]"), False),
    Case("mount-declared", volume() + "---\n" + sandbox("image: x\nvolume_mounts: {/mnt/data: data}"), True),
    Case("mount-dotdot", volume() + "---\n" + sandbox("image: x\nvolume_mounts: {/mnt/../etc: data}"), False),
    Case("mount-root", volume() + "---\n" + sandbox("image: x\nvolume_mounts: {/: data}"), False),
    Case("mount-dots-in-name", volume() + "---\n" + sandbox("image: x\nvolume_mounts: {/mnt/a..b: data}"), True),
    Case("mount-volume-not-a-name", sandbox("image: x\nvolume_mounts: {/mnt/data: Data}"), False),
    Case("command-number", sandbox("image: x\ncommand: [sleep, 5]"), False),
    Case("command-strings", sandbox("image: x\ncommand: [sleep, '5']"), True),
    Case("args-empty", sandbox("image: x\nargs: []"), True),
    # Networking and egress.
    Case("port-1024", sandbox("image: x\nnetworking: [{port: 1024}]"), True),
    Case("port-65535", sandbox("image: x\nnetworking: [{port: 65535}]"), True),
    Case("port-65536", sandbox("image: x\nnetworking: [{port: 65536}]"), False),
    Case("port-string", sandbox("image: x\nnetworking: [{port: '8080'}]"), False),
    Case("port-whole-float", sandbox("image: x\nnetworking: [{port: 8080.0}]"), True),
    Case("port-missing", sandbox("image: x\nnetworking: [{internal: true}]"), False),
    Case("two-ports", sandbox("image: x\nnetworking: [{port: 8080}, {port: 8081}]"), False),
    Case("internal-with-domains", sandbox("image: x\nnetworking: [{port: 8080, internal: true, domains: [{domain: a.example}]}]"), False),
    Case("internal-false-with-domains", sandbox("image: x\nnetworking: [{port: 8080, internal: false, domains: [{domain: a.example}]}]"), True),
    Case("internal-with-no-domains", sandbox("image: x\nnetworking: [{port: 8080, internal: true, domains: []}]"), True),
    Case("two-domains", sandbox("image: x\nnetworking: [{port: 8080, domains: [{domain: a.example}, {domain: b.example}]}]"), False),
    Case("visibility-unknown", sandbox("image: x\nnetworking: [{port: 8080, domains: [{visibility: secret}]}]"), False),
    Case("egress-empty", sandbox("image: x\negress: {allowed_destinations: []}"), True),
    Case("egress-missing-destinations", sandbox("image: x\negress: {}"), False),
    # Integers.
    Case("ttl-1", sandbox("image: x\nttl_seconds: 1"), True),
    Case("ttl-ten-years", sandbox("image: x\nttl_seconds: 315360000"), True),
    Case("ttl-over-ten-years", sandbox("image: x\nttl_seconds: 315360001"), False),
    Case("ttl-zero", sandbox("image: x\nttl_seconds: 0"), False),
    Case("ttl-fraction", sandbox("image: x\nttl_seconds: 1.5"), False),
    Case("ttl-whole-float", sandbox("image: x\nttl_seconds: 3600.0"), True),
    Case("ttl-infinite", sandbox("image: x\nttl_seconds: .inf"), False),
    Case("ttl-huge", sandbox("image: x\nttl_seconds: 99999999999999999999"), False),
    Case("replicas-zero", sandbox_set("0"), True),
    Case("replicas-10000", sandbox_set("10000"), True),
    Case("replicas-10001", sandbox_set("10001"), False),
    Case("replicas-negative", sandbox_set("-1"), False),
    Case("replicas-exponent", sandbox_set("1e3"), True),
    Case("replicas-hex", sandbox_set("0x1F"), True),
    Case("replicas-yes", sandbox_set("yes"), False),
    # Choices, booleans, the envelope.
    Case("restart-policy-typo", sandbox("image: x\nrestart_policy: alway"), False),
    Case("restart-policy-never", sandbox("image: x\nrestart_policy: never"), True),
    Case("volume-spec-null", volume("~"), True),
    Case("volume-no-spec", volume(None), True),
    Case("volume-adopt-yes", volume("{adopt: yes}"), False),
    Case("volume-adopt-True", volume("{adopt: True}"), True),
    Case("volume-policy-unknown", volume("{deletion_policy: destroy}"), False),
    Case("api-version-v2", volume().replace("porter-fleet/v1", "v2"), False),
    Case("kind-unknown", volume().replace("kind: Volume", "kind: Sandbx"), False),
    Case("unknown-top-level-field", volume() + "labels: {}\n", False),
    Case("unknown-spec-field", sandbox("image: x\nimgae: y"), False),
    Case("sandbox-without-spec", f"{HEAD}kind: Sandbox\nname: api\n", False),
    Case("sandbox-spec-null", f"{HEAD}kind: Sandbox\nname: api\nspec: ~\n", False),
    # YAML itself.
    Case("explicit-str-tag", sandbox("image: !!str 5"), True),
    Case("explicit-int-tag", sandbox_set('!!int "3"'), True),
    Case("explicit-int-tag-misfit", sandbox_set("!!int three"), False),
    Case("explicit-float-tag", sandbox_set("!!float 3"), True),
    Case("custom-tag", sandbox("image: !custom x"), False),
    Case("custom-tag-on-mapping", sandbox("image: x\nresources: !custom {cpu: 1}"), False),
    Case("non-specific-tag", sandbox("image: ! 5"), True),
    Case("duplicate-key", sandbox("image: x\nimage: y"), False),
    Case("duplicate-key-by-text", sandbox("image: x\nenv: {A: '1', 'A': '2'}"), False),
    Case("alias-of-a-mapping-as-an-argument", volume() + "---\n" + sandbox("image: x\nenv: &e {A: '1'}\nargs: [*e]"), False),
    Case("alias-reused", sandbox("image: &i python:3.12\ncommand: [*i]"), True),
    Case("json-list", '[{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "a"}, {"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "b"}]', True),
    Case("json-list-with-a-bad-item", '[{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "a"}, {"kind": "Volume", "name": "b"}]', False),
    Case("nested-list", '[[{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "a"}]]', False),
    Case("null-documents-around", "---\n~\n---\n" + volume() + "---\n", True),
    Case("only-null-documents", "---\n~\n---\n", False),
    Case("document-a-string", "hello\n", False),
    Case("mapping-key-a-list", volume() + "? [a]\n: b\n", False),
    # The documented exceptions: accepted by the schema, refused by apply.
    Case("set-name-53-with-11-replicas", sandbox_set("11", name="s" * 53), False, "set-name-by-replicas", "a SandboxSet name may have at most 52"),
    Case("volume-name-57", volume(name="v" * 57), False, "volume-scope", "a Volume name may have at most 56"),
    Case("volume-name-63", volume(name="v" * 63), False, "volume-scope", "a Volume name may have at most 56"),
    Case("sandbox-name-55-with-prefix", sandbox("image: x", name="a" * 55), False, "name-prefix", "a Sandbox name may have at most 50", name_prefix="team-"),
    Case("duplicate-in-one-file", volume() + "---\n" + volume(), False, "duplicate-resource", "Volume/data is declared twice"),
    Case("mount-undeclared", sandbox("image: x\nvolume_mounts: {/mnt/data: nowhere}"), False, "undeclared-volume", "no Volume 'nowhere' is declared"),
    Case("resource-over-1-mib", sandbox("image: x\nargs: ['" + "a" * 600_000 + "', '" + "b" * 600_000 + "']"), False, "resource-size", "larger than 1 MiB"),
    Case("cpu-hex", sandbox("image: x\nresources: {cpu: 0x10}"), False, "quantity-as-yaml-number", "'0x10' must be a positive Kubernetes quantity"),
    Case("cpu-infinite", sandbox("image: x\nresources: {cpu: .inf}"), False, "quantity-as-yaml-number", "'.inf' must be a positive Kubernetes quantity"),
    Case("tag-value-long-number", sandbox("image: x", tags=f"tags: {{serial: {'9' * 64}}}\n"), False, "tag-value-number-length", "is 64 characters; a tag value has at most 63"),
]


def fixture_files() -> list[Path]:
    files = sorted((ROOT / "manifests" / "examples").glob("*.yaml"))
    for directory in sorted((ROOT / "Tests").glob("**/Fixtures")):
        files += sorted(path for path in directory.rglob("*") if path.suffix in (".yaml", ".yml", ".json"))
    return files


# Fixtures refused by apply for a rule the schema cannot express.
FIXTURE_EXCEPTIONS = {
    "dangling-volume.yaml": "undeclared-volume",
    "duplicate-in-file.yaml": "duplicate-resource",
}


def check_agreement(label: str, path: Path, valid: bool | None, exception: str | None, apply_says: str = "", name_prefix: str = "") -> None:
    by_schema, schema_reason = schema_verdict(path.read_bytes())
    by_apply, apply_message = apply_verdict(path, name_prefix)
    if exception is not None:
        assert exception in EXCEPTIONS, f"{label}: {exception!r} is not a documented exception"
        assert by_schema and not by_apply, (
            f"{label} is listed as the exception {exception!r} (the schema accepts, apply refuses), "
            f"but the schema {'accepts' if by_schema else 'refuses'} ({schema_reason}) and apply "
            f"{'accepts' if by_apply else 'refuses'} ({apply_message.strip()[:300]})"
        )
        assert apply_says in apply_message, f"{label}: apply refused it for another reason: {apply_message.strip()[:300]}"
        return
    assert by_schema == by_apply, (
        f"{label}: the schema {'accepts' if by_schema else 'refuses'} it{f' ({schema_reason})' if schema_reason else ''}, "
        f"apply {'accepts' if by_apply else 'refuses'} it{f' ({apply_message.strip()[:300]})' if apply_message.strip() else ''}"
    )
    if valid is not None:
        assert by_apply == valid, f"{label}: expected {'valid' if valid else 'invalid'}, both say otherwise ({schema_reason or apply_message.strip()[:300]})"


@pytest.mark.parametrize("path", fixture_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_examples_and_fixtures_get_the_same_verdict(path: Path):
    require_tools()
    valid = "invalid" not in path.parts
    check_agreement(str(path.relative_to(ROOT)), path, valid, FIXTURE_EXCEPTIONS.get(path.name) if not valid else None)


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_corpus_gets_the_same_verdict(case: Case, tmp_path: Path):
    require_tools()
    path = tmp_path / f"{case.name}.yaml"
    path.write_text(case.text, encoding="utf-8")
    check_agreement(case.name, path, case.valid, case.exception, case.apply_says, case.name_prefix)


def test_every_exception_is_stated_by_the_schema_and_shown_by_a_document():
    require_tools()
    jsonschema.Draft202012Validator.check_schema(schema())
    descriptions = []

    def collect(value):
        if isinstance(value, dict):
            descriptions.extend(text for key, text in value.items() if key == "description" and isinstance(text, str))
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(schema())
    used = {case.exception for case in CORPUS} | set(FIXTURE_EXCEPTIONS.values())
    for name, exception in EXCEPTIONS.items():
        assert any(exception.schema_says in text for text in descriptions), f"the schema's descriptions do not state the exception {name!r}"
        assert name in used, f"no document shows the exception {name!r}"
    assert len({case.name for case in CORPUS}) == len(CORPUS), "corpus names are unique"

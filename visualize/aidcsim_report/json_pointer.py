"""Reading a value at an RFC 6901 JSON pointer of a parsed document (the scenario as run, /inputs/scenario)."""


def get(doc, pointer, default=None):
    """The value at `pointer` ("/economics/revenue/usd_per_gpu_hour"), or `default` when any step is missing."""
    node = doc
    for part in pointer.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node

"""Every output of the report command is written under a temporary name in its own folder and renamed when
complete, so a failure (or a kill) never leaves a complete-looking report, PDF, workbook or CSV file."""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def replaced_atomically(path, suffix=""):
    """Yields a temporary path beside `path`; when the block succeeds, the file there gets the permissions a new
    file would (mkstemp makes it private) and replaces `path`; when it fails, the temporary is removed."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".tmp-", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path, text):
    with replaced_atomically(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)


def write_bytes(path, data):
    with replaced_atomically(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)

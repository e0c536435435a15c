"""py3langid's model, mapped from an uncompressed copy on disk instead of unpacked into each process.

The model ships LZMA-compressed and unpacks to ~70 MB of arrays (a byte-level automaton and a feature x
language table) in every process that detects languages: a crawl's extraction worker, an API server, the
`newsmon extract` command. Russian, Kazakh and English text walk only a few MB of it. Mapped from a file,
a process holds the pages it reads, processes share them through the page cache, and a process starts
without unpacking anything. The copy is written once per model into the cache directory
(NEWSMON_CACHE_DIR, else the user's cache directory) and named by the model file's digest; where it cannot
be written, the model is unpacked in memory as before.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import platformdirs
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from py3langid.modelio import load_model

log = logging.getLogger(__name__)
ARRAYS = ("ptc", "pc", "nextmove", "row", "output")


def cache_dir() -> Path:
    return Path(os.environ.get("NEWSMON_CACHE_DIR") or platformdirs.user_cache_dir("newsmon"))


def load_identifier(model_file: Path = MODEL_DIR / MODEL_FILE) -> LanguageIdentifier:
    """The model's identifier (probabilities normalised), mapped from the cache when it can be."""
    try:
        directory = _unpacked(model_file)
        return _mapped(directory)
    except (OSError, ValueError) as error:
        log.warning("language model kept in memory: cannot map it from %s (%s)", cache_dir(), error)
        return LanguageIdentifier.from_model_file(model_file, norm_probs=True)


def _unpacked(model_file: Path) -> Path:
    """The directory holding the model's arrays as .npy files, written first if it is not there."""
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    directory = cache_dir() / f"langid-{digest}"
    if (directory / "classes.txt").exists():
        return directory
    shutil.rmtree(directory, ignore_errors=True)  # a copy damaged from outside: the complete ones have it
    directory.parent.mkdir(parents=True, exist_ok=True)
    ptc, pc, classes, nextmove, row, output = load_model(model_file)
    staging = Path(tempfile.mkdtemp(prefix=".langid-", dir=directory.parent))
    try:
        for name, values in zip(ARRAYS, (ptc, pc, nextmove, row, output), strict=True):
            np.save(staging / f"{name}.npy", np.asarray(values))
            _evict(staging / f"{name}.npy")
        # Written last: its presence says the directory is complete.
        (staging / "classes.txt").write_text("\n".join(classes) + "\n", encoding="utf-8")
        try:
            staging.rename(directory)
        except OSError:
            if not (directory / "classes.txt").exists():  # another process did not win the race either
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _evict(path: Path) -> None:
    """Write the file out and drop it from the page cache. Freshly written, it sits there in large folios,
    which the kernel maps whole on a fault: a process reading a few bytes would hold megabytes."""
    if not hasattr(os, "posix_fadvise"):  # not on macOS or Windows, where none of this applies
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def _mapped(directory: Path) -> LanguageIdentifier:
    arrays = {name: _map(directory / f"{name}.npy") for name in ARRAYS}
    classes = (directory / "classes.txt").read_text(encoding="utf-8").split()
    if arrays["ptc"].shape[1:] != (len(classes),) or len(arrays["output"]) != len(arrays["row"]):
        raise ValueError(f"{directory} does not hold a whole model")
    return LanguageIdentifier(
        arrays["ptc"],
        np.array(arrays["pc"]),
        classes,
        _items(arrays["nextmove"]),
        arrays["output"].tolist(),
        norm_probs=True,
        tk_row=_items(arrays["row"]),
    )


def _map(path: Path) -> np.ndarray:
    """A read-only array over the file's pages. The kernel is told the reads are scattered, so that it
    neither reads ahead nor maps huge pages: either would make a process hold far more than it reads."""
    with path.open("rb") as file:
        version = np.lib.format.read_magic(file)
        read_header = (
            np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        )
        shape, fortran, dtype = read_header(file)
        offset = file.tell()
        mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    for advice in ("MADV_RANDOM", "MADV_NOHUGEPAGE"):  # Linux names both; other systems may lack them
        if hasattr(mmap, advice):
            mapping.madvise(getattr(mmap, advice))
    return np.ndarray(shape, dtype, buffer=mapping, offset=offset, order="F" if fortran else "C")


def _items(array: np.ndarray) -> memoryview:
    """A one-dimensional integer array read item by item as Python ints, as fast as array.array (numpy's
    own indexing returns numpy scalars, several times slower in the automaton's inner loop)."""
    return memoryview(array).cast("B").cast(array.dtype.char)

"""The local storage backend refuses any name that is not a plain file name, whoever checked it before."""
import pytest

from cpp_app.storage import LocalStorage

HOSTILE = ["../secret_key", "../../secret_key", "/etc/passwd", "..", ".", "", "a/../../secret_key", "a\x00.pdf",
           "..\\secret_key"]


@pytest.fixture
def store(tmp_path):
    (tmp_path / "secret_key").write_text("secret")
    (tmp_path / "uploads" / "certificates").mkdir(parents=True)
    return LocalStorage(tmp_path / "uploads")


def test_a_file_is_written_once_and_read_back(store):
    store.write("certificates", "a.pdf", [b"%PDF-", b"1"])
    assert store.read("certificates", "a.pdf") == b"%PDF-1"
    assert store.size("certificates", "a.pdf") == 6
    with pytest.raises(FileExistsError):
        store.write("certificates", "a.pdf", [b"other"])
    store.delete("certificates", "a.pdf")
    store.delete("certificates", "a.pdf")  # already gone: not an error
    assert store.read("certificates", "a.pdf") is None


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_reach_nothing(store, tmp_path, name):
    assert store.read("certificates", name) is None
    assert store.size("certificates", name) is None
    store.delete("certificates", name)
    assert (tmp_path / "secret_key").exists()
    with pytest.raises(ValueError):
        store.write("certificates", name, [b"x"])


@pytest.mark.parametrize("kind", ["..", "../..", "certificates/..", ""])
def test_hostile_kinds_reach_nothing(store, tmp_path, kind):
    assert store.read(kind, "secret_key") is None
    store.delete(kind, "secret_key")
    assert (tmp_path / "secret_key").exists()
    with pytest.raises(ValueError):
        store.write(kind, "x.pdf", [b"x"])

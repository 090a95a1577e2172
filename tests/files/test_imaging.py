"""Type detection from the bytes, independent of any upload."""

import pytest

from resolvers.imaging import TextProbe, detect
from tests.files import samples


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.png(), "image/png"),
        (samples.image("JPEG"), "image/jpeg"),
        (samples.image("WEBP"), "image/webp"),
        (samples.pdf(), "application/pdf"),
        (samples.zip_archive(), "application/zip"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(32), "video/mp4"),
    ],
)
def test_detect_names_the_type_the_magic_number_shows(data, expected):
    assert detect(data, is_text=False) == expected


def test_detect_takes_utf8_without_control_characters_for_text():
    probe = TextProbe()
    data = samples.text()
    # Split inside a multi-byte character: the probe must carry it over.
    probe.feed(data[:26])
    probe.feed(data[26:], final=True)

    assert probe.is_text
    assert detect(data, is_text=probe.is_text) == "text/plain"


@pytest.mark.parametrize("data", [b"\xff\xfe\x00h", b"plain\x00nul", b"bell\x07", b"\xc3"])
def test_text_probe_refuses_bytes_that_are_not_clean_utf8(data):
    probe = TextProbe()
    probe.feed(data, final=True)

    assert not probe.is_text


def test_detect_knows_nothing_of_random_bytes():
    assert detect(samples.random_bytes(), is_text=False) is None

"""The file types an upload page offers: each type's words and the extensions a file chooser accepts."""

from __future__ import annotations

DOCUMENT_FILE_TYPES: dict[str, tuple[str, str]] = {
    "application/pdf": ("PDF", ".pdf"), "image/tiff": ("TIFF", ".tif,.tiff"),
    "image/jpeg": ("JPEG", ".jpg,.jpeg"), "image/png": ("PNG", ".png"),
}
"""A consent form's or a clinical document's type: the words, the extensions."""
CSV_FILE_TYPE = ("CSV", ".csv")


def file_type_choices() -> list[dict[str, str]]:
    return [{"value": value, "text": text if text == "PDF" else f"{text} image"}
            for value, (text, _) in DOCUMENT_FILE_TYPES.items()]

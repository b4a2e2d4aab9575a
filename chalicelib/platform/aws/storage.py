"""S3 for the documents bucket: presigned posts and gets, reading, quarantining, writing results."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

from chalicelib.platform.aws.clients import aws_client
from chalicelib.platform.config import get_settings


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    content_type: str | None
    etag: str | None = None
    version_id: str | None = None


@dataclass(frozen=True)
class CopiedObject:
    """What a server-side copy took: the one source version (S3 copies one version, atomically) and its ETag."""

    source_version_id: str | None
    etag: str


def _unquoted(etag: str) -> str:
    return etag.strip('"')


def _missing(error: Exception) -> bool:
    return getattr(error, "response", {}).get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def _bucket() -> str:
    return get_settings().documents_bucket


def presigned_post(key: str, content_type: str, max_bytes: int, expires_seconds: int,
                   success_redirect: str | None = None) -> dict[str, Any]:
    """A browser upload limited to this key, this content type and this size (S3 enforces; we check again).

    ``success_redirect`` (an absolute URL; opt-in, for HTML forms) is where S3 sends the browser after a
    successful upload (a 303, with ``bucket``, ``key`` and ``etag`` added to its query): a field and a
    condition, so the form cannot be pointed elsewhere."""
    fields: dict[str, str] = {"Content-Type": content_type}
    conditions: list[Any] = [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]
    if success_redirect:
        fields["success_action_redirect"] = success_redirect
        conditions.append({"success_action_redirect": success_redirect})
    return aws_client("s3").generate_presigned_post(
        Bucket=_bucket(),
        Key=key,
        Fields=fields,
        Conditions=conditions,
        ExpiresIn=expires_seconds,
    )


def upload_form_origins() -> str:
    """Where an HTML form posting to a presigned POST goes (the CSP form-action of the pages that hold one):
    the local stage's S3 endpoint (moto), else the bucket's virtual-hosted S3 addresses."""
    settings = get_settings()
    if settings.aws_endpoint_url:
        parts = urlsplit(settings.aws_endpoint_url)
        return f"{parts.scheme}://{parts.netloc}"
    bucket = settings.documents_bucket
    return f"https://{bucket}.s3.amazonaws.com https://{bucket}.s3.{settings.region}.amazonaws.com"


def presigned_get(key: str, download_name: str, expires_seconds: int) -> str:
    return aws_client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": _bucket(), "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{download_name}"'},
        ExpiresIn=expires_seconds,
    )


def describe(key: str) -> StoredObject | None:
    from botocore.exceptions import ClientError

    try:
        head = aws_client("s3").head_object(Bucket=_bucket(), Key=key)
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return StoredObject(key, int(head["ContentLength"]), head.get("ContentType"), _unquoted(head.get("ETag", "")),
                        head.get("VersionId"))


def copy_current(source_key: str, target_key: str) -> CopiedObject | None:
    """Copy the object now at ``source_key`` to ``target_key`` (None when there is none). The answer names the
    version copied, so what is recorded is what was copied, whatever is written to the source afterwards."""
    from botocore.exceptions import ClientError

    try:
        copied = aws_client("s3").copy_object(Bucket=_bucket(), Key=target_key,
                                              CopySource={"Bucket": _bucket(), "Key": source_key})
    except ClientError as error:
        if _missing(error):
            return None
        raise
    return CopiedObject(copied.get("CopySourceVersionId"), _unquoted(copied["CopyObjectResult"]["ETag"]))


def delete(key: str) -> None:
    """Delete the key's current object (a versioned bucket keeps it as a noncurrent version)."""
    aws_client("s3").delete_object(Bucket=_bucket(), Key=key)


def read_head(key: str, length: int) -> bytes:
    body = aws_client("s3").get_object(Bucket=_bucket(), Key=key, Range=f"bytes=0-{length - 1}")["Body"]
    return body.read()


def iter_lines(key: str) -> Iterator[bytes]:
    """The object's lines, streamed: memory stays flat whatever the size."""
    body = aws_client("s3").get_object(Bucket=_bucket(), Key=key)["Body"]
    yield from body.iter_lines(chunk_size=64 * 1024, keepends=True)


def move(source_key: str, target_key: str) -> None:
    """Copy then delete (the bucket is versioned, so the original version is kept too)."""
    aws_client("s3").copy_object(Bucket=_bucket(), Key=target_key, CopySource={"Bucket": _bucket(), "Key": source_key})
    delete(source_key)


def upload_file(handle: IO[bytes], key: str, content_type: str) -> None:
    """Upload from a file on disk; large files go up in parts (multipart), never whole in memory."""
    aws_client("s3").upload_fileobj(handle, _bucket(), key, ExtraArgs={"ContentType": content_type})


class _ChunksReader(io.RawIOBase):
    """A read-only file over an iterable of byte chunks: what boto3's upload reads, a chunk at a time."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def upload_chunks(chunks: Iterable[bytes], key: str, content_type: str) -> None:
    """Upload what ``chunks`` yields as one object, streamed (in parts when large): never whole in memory."""
    upload_file(io.BufferedReader(_ChunksReader(chunks), buffer_size=1024 * 1024), key, content_type)


def start_multipart(key: str, content_type: str) -> str:
    return aws_client("s3").create_multipart_upload(Bucket=_bucket(), Key=key, ContentType=content_type)["UploadId"]


def upload_part(key: str, upload_id: str, number: int, data: bytes) -> dict[str, object]:
    response = aws_client("s3").upload_part(Bucket=_bucket(), Key=key, UploadId=upload_id, PartNumber=number,
                                           Body=data)
    return {"PartNumber": number, "ETag": response["ETag"]}


def complete_multipart(key: str, upload_id: str, parts: list[dict[str, object]]) -> None:
    aws_client("s3").complete_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id,
                                               MultipartUpload={"Parts": parts})


def abort_multipart(key: str, upload_id: str) -> None:
    aws_client("s3").abort_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id)

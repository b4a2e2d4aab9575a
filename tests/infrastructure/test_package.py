"""The Lambda deployment package leaves out the AWS SDK the runtime provides, and stays under 10 MB."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from infrastructure.slim_package import LIMIT_BYTES, provided_by_runtime, slim
from local.environment import PROJECT_DIR

BUILT = PROJECT_DIR / "build" / "package" / "deployment.zip"


def test_slimming_drops_the_runtimes_packages_and_keeps_every_other_entry_as_it_was(tmp_path: Path) -> None:
    package = tmp_path / "deployment.zip"
    kept = {"app.py": b"app", "chalicelib/__init__.py": b"", "pynamodb/connection/_botocore_private.py": b"ours",
            "aws_lambda_powertools/__init__.py": b"pt", "jmespath/__init__.py": b"j",
            "fhir/resources/R4B/claim.py": b"r4b"}
    dropped = {"botocore/__init__.py": b"x" * 5000, "botocore/data/s3/2006-03-01/service-2.json.gz": b"y" * 5000,
               "botocore-1.44.8.dist-info/METADATA": b"m", "boto3/__init__.py": b"b",
               "boto3-1.41.0.dist-info/RECORD": b"r", "s3transfer/__init__.py": b"s",
               "fhir/resources/STU3/claim.py": b"stu3"}
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**kept, **dropped}.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 2, 3, 4, 6))
            info.external_attr = 0o100755 << 16 if name == "app.py" else 0o100644 << 16
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)

    result = slim(package)

    assert result.entries_removed == len(dropped)
    assert result.after_bytes < result.before_bytes
    with zipfile.ZipFile(package) as archive:
        assert archive.testzip() is None
        assert {name: archive.read(name) for name in archive.namelist()} == kept
        app = archive.getinfo("app.py")
        assert (app.external_attr >> 16, app.date_time) == (0o100755, (2026, 1, 2, 3, 4, 6))


def test_only_the_sdks_own_top_level_packages_count_as_provided_by_the_runtime() -> None:
    assert provided_by_runtime("botocore/client.py")
    assert provided_by_runtime("Boto3-1.0.dist-info/METADATA")
    assert not provided_by_runtime("botocore_stubs/__init__.py")
    assert not provided_by_runtime("pynamodb/connection/_botocore_private.py")
    assert not provided_by_runtime("chalicelib/platform/aws/clients.py")


@pytest.mark.skipif(not BUILT.exists(), reason="make package builds it (make test does, before pytest)")
def test_the_built_package_is_under_10_mb_with_no_botocore_and_the_app_inside() -> None:
    assert BUILT.stat().st_size < LIMIT_BYTES, f"{BUILT.stat().st_size / 1e6:.1f} MB"
    with zipfile.ZipFile(BUILT) as archive:
        names = archive.namelist()
    assert [name for name in names if provided_by_runtime(name) or name.startswith("fhir/resources/STU3/")] == []
    assert "fhir/resources/R4B/claimresponse.py" in names
    assert "app.py" in names
    assert "chalicelib/handlers/claims/routes.py" in names
    assert any(name.startswith("pynamodb/") for name in names)

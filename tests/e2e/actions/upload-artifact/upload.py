"""upload-artifact stand-in: zip, then the Results API's upload calls."""

import glob
import hashlib
import http.client
import io
import json
import os
import sys
import urllib.request
import zipfile

SERVICE = "twirp/github.actions.results.api.v1.ArtifactService/"


def fail(message, code=1):
    print(f"::error title=upload-artifact::{message}")
    sys.exit(code)


def call(method, body):
    """POST a Results API (twirp, JSON) call; the parsed answer."""
    req = urllib.request.Request(
        os.environ["ACTIONS_RESULTS_URL"].rstrip("/") + "/" + SERVICE + method,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + os.environ["ACTIONS_RUNTIME_TOKEN"],
        },
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


def backend_ids():
    """The run and job ids in the runtime token's scope claim."""
    payload = os.environ["ACTIONS_RUNTIME_TOKEN"].split(".")[1]
    claims = json.loads(__import__("base64").urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for scope in claims.get("scp", "").split():
        parts = scope.split(":")
        if parts[0] == "Actions.Results" and len(parts) == 3:
            return parts[1], parts[2]
    fail("the runtime token has no Actions.Results scope")


def files(spec, hidden):
    """(absolute path, name in the zip) pairs; names relative to the
    least common ancestor of everything matched, as the real action."""
    found = []
    for line in spec.splitlines():
        line = line.strip()
        if not line or line.startswith("!"):
            continue
        for match in sorted(glob.glob(os.path.expanduser(line), recursive=True)):
            if os.path.isdir(match):
                for root, dirs, names in os.walk(match):
                    dirs.sort()
                    for n in sorted(names):
                        found.append(os.path.abspath(os.path.join(root, n)))
            elif os.path.isfile(match):
                found.append(os.path.abspath(match))
    if not hidden:
        found = [f for f in found if not any(p.startswith(".") for p in f.split(os.sep) if p)]
    if not found:
        return []
    root = os.path.commonpath(found) if len(found) > 1 else os.path.dirname(found[0])
    if os.path.isfile(root):
        root = os.path.dirname(root)
    return [(f, os.path.relpath(f, root)) for f in sorted(set(found))]


def main():
    name = os.environ["INPUT_NAME"].strip() or "artifact"
    if any(c in name for c in '"<>|*?\r\n\\/:'):
        fail(f"the artifact name '{name}' holds a character that is not allowed", 2)
    level = os.environ.get("INPUT_COMPRESSION_LEVEL", "6").strip() or "6"
    if not level.isdigit() or int(level) > 9:
        fail(f"compression-level '{level}' is not 0 to 9", 2)
    chosen = files(os.environ["INPUT_PATH"], os.environ.get("INPUT_INCLUDE_HIDDEN_FILES") == "true")
    if not chosen:
        mode = os.environ.get("INPUT_IF_NO_FILES_FOUND", "warn")
        message = f"No files were found with the provided path: {os.environ['INPUT_PATH']}. No artifacts will be uploaded."
        if mode == "error":
            fail(message)
        if mode == "warn":
            print(f"::warning title=upload-artifact::{message}")
        return
    run_id, job_id = backend_ids()
    ids = {"workflow_run_backend_id": run_id, "workflow_job_run_backend_id": job_id}
    if os.environ.get("INPUT_OVERWRITE") == "true":
        call("DeleteArtifact", {**ids, "name": name})
    else:
        try:
            existing = call("ListArtifacts", {**ids, "name_filter": name}).get("artifacts", [])
        except (OSError, http.client.HTTPException):
            # act's server drops the connection listing a run that has no
            # artifact yet
            existing = []
        if existing:
            fail(f"Failed to CreateArtifact: an artifact with this name already exists on the workflow run: {name}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=int(level)) as z:
        for path, arcname in chosen:
            z.write(path, arcname)
    data = buf.getvalue()
    created = call("CreateArtifact", {**ids, "name": name, "version": 4})
    url = created.get("signedUploadUrl") or created.get("signed_upload_url")
    if not url:
        fail(f"CreateArtifact gave no upload URL: {created}")
    put = urllib.request.Request(url + "&comp=block", data=data, method="PUT",
                                 headers={"Content-Type": "application/octet-stream", "x-ms-blob-type": "BlockBlob"})
    urllib.request.urlopen(put, timeout=120).close()
    digest = hashlib.sha256(data).hexdigest()
    done = call("FinalizeArtifact", {**ids, "name": name, "size": str(len(data)), "hash": "sha256:" + digest})
    artifact_id = str(done.get("artifactId") or done.get("artifact_id") or "")
    if not artifact_id:
        fail(f"FinalizeArtifact gave no artifact id: {done}")
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"artifact-id={artifact_id}\n")
        out.write(f"artifact-url={server}/{repo}/actions/runs/{os.environ.get('GITHUB_RUN_ID', '')}/artifacts/{artifact_id}\n")
        out.write(f"artifact-digest={digest}\n")
    print(f"Artifact {name} uploaded: id {artifact_id}, {len(data)} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()

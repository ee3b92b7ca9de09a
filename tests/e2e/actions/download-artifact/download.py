"""download-artifact stand-in: another run's artifacts through the REST
API (github-token + run-id), else this run's through the Results API."""

import base64
import fnmatch
import http.client
import io
import json
import os
import sys
import urllib.error
import urllib.request
import zipfile

SERVICE = "twirp/github.actions.results.api.v1.ArtifactService/"


def fail(message, code=1):
    print(f"::error title=download-artifact::{message}")
    sys.exit(code)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def rest(url, token):
    """GET with the token; (status, headers, body). Redirects are not followed."""
    req = urllib.request.Request(url, headers={
        "Authorization": "Bearer " + token,
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    })
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def results(method, body):
    req = urllib.request.Request(
        os.environ["ACTIONS_RESULTS_URL"].rstrip("/") + "/" + SERVICE + method,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Bearer " + os.environ["ACTIONS_RUNTIME_TOKEN"]},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"{}")


def backend_ids():
    payload = os.environ["ACTIONS_RUNTIME_TOKEN"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for scope in claims.get("scp", "").split():
        parts = scope.split(":")
        if parts[0] == "Actions.Results" and len(parts) == 3:
            return parts[1], parts[2]
    fail("the runtime token has no Actions.Results scope")


def from_api(token, repository, run_id):
    """[(name, zip bytes)] of the run's artifacts that are wanted."""
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    status, _, body = rest(f"{api}/repos/{repository}/actions/runs/{run_id}/artifacts?per_page=100", token)
    if status != 200:
        fail(f"listing the artifacts of run {run_id} in {repository} failed (HTTP {status}): {body[:200]!r}")
    listed = json.loads(body).get("artifacts", [])
    chosen = choose([(a["name"], str(a["id"]), a) for a in listed])
    out = []
    for name, artifact_id, a in chosen:
        if a.get("expired"):
            fail(f"Unable to download artifact {name} (id {artifact_id}): the artifact has expired")
        status, headers, body = rest(f"{api}/repos/{repository}/actions/artifacts/{artifact_id}/zip", token)
        if status == 302:
            # the blob URL is signed: no token goes there
            with urllib.request.urlopen(headers["Location"], timeout=120) as resp:
                body, status = resp.read(), resp.status
        if status != 200:
            fail(f"Unable to download artifact {name} (id {artifact_id}): HTTP {status} {body[:200]!r}")
        out.append((name, body))
    return out


def from_runner():
    run_id, job_id = backend_ids()
    ids = {"workflow_run_backend_id": run_id, "workflow_job_run_backend_id": job_id}
    try:
        listed = results("ListArtifacts", ids).get("artifacts", [])
    except (OSError, http.client.HTTPException):
        # act's server drops the connection listing a run with no artifact
        listed = []
    chosen = choose([(a["name"], str(a.get("databaseId", "")), a) for a in listed])
    out = []
    for name, _, _ in chosen:
        url = results("GetSignedArtifactURL", {**ids, "name": name})["signedUrl"]
        with urllib.request.urlopen(url, timeout=120) as resp:
            out.append((name, resp.read()))
    return out


def choose(listed):
    name = os.environ.get("INPUT_NAME", "").strip()
    ids = [i.strip() for i in os.environ.get("INPUT_ARTIFACT_IDS", "").split(",") if i.strip()]
    pattern = os.environ.get("INPUT_PATTERN", "").strip()
    if name and ids:
        fail("give name or artifact-ids, not both", 2)
    for i in ids:
        if not i.isdigit():
            fail(f"artifact id '{i}' is not a number", 2)
    if name:
        chosen = [a for a in listed if a[0] == name]
        if not chosen:
            fail(f"Unable to download artifact(s): Artifact not found for name: {name}")
    elif ids:
        chosen = [a for a in listed if a[1] in ids]
        if not chosen:
            fail(f"None of the provided artifact IDs were found: {', '.join(ids)}")
    else:
        chosen = [a for a in listed if not pattern or fnmatch.fnmatch(a[0], pattern)]
    return chosen


def main():
    token = os.environ.get("INPUT_GITHUB_TOKEN", "")
    run_id = os.environ.get("INPUT_RUN_ID", "").strip()
    other = token and run_id and run_id != os.environ.get("GITHUB_RUN_ID")
    got = from_api(token, os.environ["INPUT_REPOSITORY"], run_id) if other else from_runner()
    root = os.path.abspath(os.path.expanduser(os.environ.get("INPUT_PATH") or os.environ["GITHUB_WORKSPACE"]))
    single = os.environ.get("INPUT_NAME", "").strip() != ""
    merge = os.environ.get("INPUT_MERGE_MULTIPLE") == "true"
    for name, data in got:
        dest = root if single or merge or len(got) == 1 and os.environ.get("INPUT_ARTIFACT_IDS") else os.path.join(root, name)
        os.makedirs(dest, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                if member.startswith("/") or ".." in member.split("/"):
                    fail(f"artifact {name} holds an unsafe path: {member}")
            z.extractall(dest)
        print(f"Artifact {name} downloaded to {dest}")
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"download-path={root}\n")


if __name__ == "__main__":
    main()

//! The pull requests associated with a commit.

use super::*;

pub(super) fn commit_pulls(s: &State, ctx: &Ctx, rev: &str) -> Reply {
    // Documented: 409 Conflict for an empty repository (nothing pushed, no
    // pull requests seeded either).
    if s.commits.is_empty() && s.refs.is_empty() && s.pulls.is_empty() {
        return Reply::error(409, "Git Repository is empty.", DOC_COMMIT_PULLS);
    }
    let Some(sha) = s.resolve_commit(rev).or_else(|| {
        // A PR's head may not be on a branch the stand-in knows.
        s.pulls
            .values()
            .find(|p| p.commits.iter().any(|c| c == rev))
            .map(|_| rev.to_owned())
    }) else {
        return Reply::error(
            422,
            &format!("No commit found for SHA: {rev}"),
            DOC_COMMIT_PULLS,
        );
    };
    let found: Vec<Value> = s
        .pulls
        .values()
        .rev()
        .filter(|p| p.merge_commit_sha.as_deref() == Some(sha.as_str()) || p.commits.contains(&sha))
        .map(|p| s.pull_json(p, false))
        .collect();
    paged(s, ctx, found)
}

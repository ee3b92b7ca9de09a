//! Floating tags: a lightweight tag moved to a commit with the one forced
//! push shipgate makes, leased on the value just read.

use super::*;
use crate::model::CommitId;
use crate::{MovedTag, RepoError};

impl GitStore {
    /// [`GitStore::push`], or with `lease` (the oid the remote ref must
    /// still have, `""` for "must not exist") a forced update of that one
    /// ref, `--force-with-lease=<ref>:<lease>`.
    pub(super) fn push_with_lease(
        &self,
        oid: &str,
        refname: &str,
        lease: Option<&str>,
    ) -> Result<PushResult, RepoError> {
        self.forget_listing();
        let spec = format!("{oid}:{refname}");
        let lease_arg = lease.map(|l| format!("--force-with-lease={refname}:{l}"));
        let mut args = vec![
            "-c",
            "push.gpgSign=false",
            "-c",
            "push.followTags=false",
            "push",
            "--porcelain",
            "--no-verify",
            "--no-recurse-submodules",
        ];
        if let Some(l) = &lease_arg {
            args.push(l);
        }
        args.extend(["--", &self.remote, &spec]);
        let (code, stdout, stderr) = self.exec(&args, None, Op::Network, &[])?;
        let stdout = String::from_utf8_lossy(&stdout);
        let flag = stdout.lines().find_map(|l| {
            let mut parts = l.split('\t');
            let flag = parts.next()?;
            let spec = parts.next()?;
            (spec.ends_with(&format!(":{refname}")) && flag.len() == 1)
                .then(|| flag.chars().next().unwrap_or('!'))
        });
        let stderr = String::from_utf8_lossy(&stderr).into_owned();
        Ok(PushResult {
            ok: code == Some(0),
            code,
            flag,
            detail: excerpt(&format!("{stdout}\n{stderr}")),
        })
    }

    /// Points the floating tag `name` (`v1`, `v1.3`) at `commit` on the
    /// remote, as a lightweight tag: the one forced push shipgate makes,
    /// of that ref only, leased on the value just read (a racing mover
    /// makes this fail rather than be overwritten blindly).
    pub fn move_tag(&self, name: &str, commit: &CommitId) -> Result<MovedTag, RepoError> {
        vocab::refname::check_tag_name(name).map_err(|e| RepoError::InvalidInput {
            what: "tag name",
            value: name.to_owned(),
            expected: e.to_string(),
        })?;
        check_pattern_safe(name)?;
        let refname = format!("refs/tags/{name}");
        let refs = self.ls_remote(&[refname.clone(), format!("{refname}^{{}}")])?;
        let current = refs.iter().find(|r| r.name == refname);
        let previous = current
            .map(|r| commit_id(r.target(), &r.name))
            .transpose()?;
        if let Some(r) = current
            && r.peeled.is_none()
            && r.oid == commit.as_str()
        {
            return Ok(MovedTag {
                name: name.to_owned(),
                previous,
                moved: false,
            });
        }
        if !self.ensure_commit_here(commit)? {
            return Err(RepoError::NotFound {
                what: "commit",
                name: commit.to_string(),
                hint: Some(format!(
                    "neither this repository nor {} has it: push it first",
                    self.remote
                )),
            });
        }
        let lease = current.map(|r| r.oid.clone()).unwrap_or_default();
        let pushed = self.push_with_lease(commit.as_str(), &refname, Some(&lease))?;
        if !pushed.ok {
            return Err(push_error(&self.remote, &refname, &pushed));
        }
        Ok(MovedTag {
            name: name.to_owned(),
            previous,
            moved: true,
        })
    }

    pub(super) fn ensure_commit_here(&self, commit: &CommitId) -> Result<bool, RepoError> {
        if !self.present(&[commit.as_str()])?.is_empty() {
            return Ok(true);
        }
        match self.fetch_pack(&[commit.as_str()], self.shallow) {
            Ok(()) => Ok(!self.present(&[commit.as_str()])?.is_empty()),
            Err(RepoError::Git { stderr, .. }) if is_unknown_object(&stderr) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

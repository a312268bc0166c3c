//! The key on disk, in two files. `key.age` holds the key, encrypted with age to the
//! project's own X25519 identity; `key-identity.age` holds that identity, encrypted with the
//! passphrase (age, scrypt). Opening the key does the passphrase work once (128 MiB, about a
//! third of a second) and keeps the identity for the process, so that saving, which happens at
//! every import and every review decision, encrypts without it: an import's save came when its
//! memory was highest and added those 128 MiB to it (docs/PERFORMANCE.md).
//!
//! Security is the passphrase's either way: the identity opens only with it, at the same
//! work factor. A key written before the identity existed (`key.age` encrypted with the
//! passphrase itself) opens as it always did, and its next save writes both files. The
//! identity counts only beside a `key.age` written to it: a save interrupted between the two
//! files leaves a key that opens with the passphrase, as before.
//!
//! About 265 of its lines are its tests (the two files, keys written with the passphrase alone,
//! the work factor, another process's change).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use age::secrecy::{ExposeSecret, SecretString};

use super::Key;
use crate::error::{Error, Result};

/// The key file inside a project folder.
pub const KEY_FILE: &str = "key.age";

/// The file beside it with the identity `key.age` is encrypted to, under the passphrase.
pub const IDENTITY_FILE: &str = "key-identity.age";

/// Where the key of a project lives.
pub fn path(project: &Path) -> PathBuf {
    project.join(KEY_FILE)
}

/// Where the identity that opens the key lives.
pub fn identity_path(project: &Path) -> PathBuf {
    project.join(IDENTITY_FILE)
}

/// The key file's bytes (their SHA-256) as this process last read or wrote them, per project
/// folder. A save over a key that another narrata process changed in between is refused: it
/// would drop that process's pseudonyms from the key while its documents keep them (two
/// imports at once, or the terminal UI and a command line). The check and the write are one
/// step under a lock file beside the key.
static SEEN: std::sync::Mutex<BTreeMap<PathBuf, [u8; 32]>> = std::sync::Mutex::new(BTreeMap::new());

/// A project's identity as opened (or made) in this process, with the passphrase that opens
/// it, and the identity file still to be written when it is new.
struct Unlocked {
    pass: SecretString,
    identity: age::x25519::Identity,
    unwritten: Option<Unwritten>,
}

/// A new identity file: being encrypted with the passphrase (the passphrase work, a third of
/// a second, done beside the command's own work until the first save needs it), ready, or
/// failed (every save then fails with the same reason: nothing is written without it).
enum Unwritten {
    Encrypting(std::thread::JoinHandle<Result<Vec<u8>>>),
    Ready(Vec<u8>),
    Failed(String),
}

impl Unwritten {
    /// The identity file's bytes, waiting for their encryption if it is still under way.
    fn ready(&mut self) -> Result<&[u8]> {
        if matches!(self, Unwritten::Encrypting(_)) {
            let taken = std::mem::replace(self, Unwritten::Failed(String::new()));
            if let Unwritten::Encrypting(work) = taken {
                *self = match work.join() {
                    Ok(Ok(bytes)) => Unwritten::Ready(bytes),
                    Ok(Err(e)) => Unwritten::Failed(e.to_string()),
                    Err(_) => Unwritten::Failed(
                        "the key's identity could not be encrypted (its thread failed)".into(),
                    ),
                };
            }
        }
        match self {
            Unwritten::Ready(bytes) => Ok(bytes),
            Unwritten::Failed(why) => Err(Error::Key(why.clone())),
            Unwritten::Encrypting(_) => Err(Error::Internal(
                "the key's identity is still being encrypted".into(),
            )),
        }
    }
}

static UNLOCKED: std::sync::Mutex<BTreeMap<PathBuf, Unlocked>> =
    std::sync::Mutex::new(BTreeMap::new());

fn seen_key(project: &Path) -> PathBuf {
    std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf())
}

fn remember(project: &Path, bytes: &[u8]) {
    use sha2::Digest;
    remember_digest(project, sha2::Sha256::digest(bytes).into());
}

fn remember_digest(project: &Path, digest: [u8; 32]) {
    SEEN.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(seen_key(project), digest);
}

/// The SHA-256 of a file read in pieces (a key of many entries is tens of megabytes), or
/// `None` when there is no file.
fn digest_of(file: &Path) -> Result<Option<[u8; 32]>> {
    use sha2::Digest;
    let mut f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(file, e)),
    };
    let mut hash = sha2::Sha256::new();
    std::io::copy(&mut f, &mut hash).map_err(|e| Error::io(file, e))?;
    Ok(Some(hash.finalize().into()))
}

/// Whether the key file is as this process last saw it (or absent, or never seen while absent),
/// given the digest of the file as it is now.
fn unchanged_since_seen(project: &Path, current: Option<[u8; 32]>) -> bool {
    let seen = SEEN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&seen_key(project))
        .copied();
    match (current, seen) {
        (None, _) => true,
        (Some(now), Some(d)) => now == d,
        // Another process made a key after this one found none.
        (Some(_), None) => false,
    }
}

/// The first bytes of a file (an age file's header is in its first few hundred), or `None`
/// when it cannot be read.
fn head_of(file: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(file)
        .ok()?
        .take(64 * 1024)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// A writer that passes everything on and keeps the SHA-256 of what it passed.
struct Hashing<W> {
    inner: W,
    hash: sha2::Sha256,
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        use sha2::Digest;
        let n = self.inner.write(bytes)?;
        self.hash.update(&bytes[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The passphrase: `NARRATA_PASSPHRASE`, else asked on the terminal (twice when `new`).
pub fn passphrase(new: bool) -> Result<SecretString> {
    if let Ok(p) = std::env::var("NARRATA_PASSPHRASE") {
        if p.is_empty() {
            return Err(Error::Key("NARRATA_PASSPHRASE is set but empty".into()));
        }
        return Ok(SecretString::from(p));
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::Key(
            "the pseudonym key needs a passphrase: set NARRATA_PASSPHRASE, or run narrata in a terminal to be asked for it".into(),
        ));
    }
    let first = rpassword::prompt_password("passphrase for the pseudonym key: ")
        .map_err(|e| Error::io("terminal", e))?;
    if first.is_empty() {
        return Err(Error::Key("an empty passphrase is not accepted".into()));
    }
    if new {
        let again = rpassword::prompt_password("the same passphrase again: ")
            .map_err(|e| Error::io("terminal", e))?;
        if again != first {
            return Err(Error::Key(
                "the two passphrases differ; nothing was changed".into(),
            ));
        }
    }
    Ok(SecretString::from(first))
}

/// Opens the key of the project at `project` with its passphrase (asked for, or from
/// `NARRATA_PASSPHRASE`), or starts a new one for the project with GUID `project_guid` when it
/// has none yet (asking for the new passphrase twice). The commands that save the key open it
/// through this: a key without an identity yet (new, or written with the passphrase alone)
/// gets one here, so that no save needs the passphrase work.
pub fn open_or_new(project: &Path, project_guid: &str) -> Result<(Key, SecretString)> {
    let exists = path(project).is_file();
    let pass = passphrase(!exists)?;
    let key = load(project, &pass)?;
    if !unlocked_with(project, &pass) {
        keep(project, fresh(&pass, current_work_factor())?);
    }
    Ok((key.unwrap_or_else(|| Key::new(project_guid)), pass))
}

/// Whether this process holds the project's identity for this passphrase.
fn unlocked_with(project: &Path, pass: &SecretString) -> bool {
    UNLOCKED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&seen_key(project))
        .is_some_and(|u| u.pass.expose_secret() == pass.expose_secret())
}

/// Forgets the project's identity and passphrase held for saving (the terminal UI when it
/// locks the key again).
pub fn forget(project: &Path) {
    UNLOCKED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&seen_key(project));
}

/// Whether an age file is encrypted to an X25519 identity (a key written to its project's
/// identity) rather than to a passphrase.
fn to_identity(age_file: &[u8]) -> bool {
    age_file
        .split(|&b| b == b'\n')
        .take_while(|line| !line.starts_with(b"---"))
        .any(|line| line.starts_with(b"-> X25519 "))
}

/// Reads and decrypts a project's key; `None` if the project has none yet.
pub fn load(project: &Path, pass: &SecretString) -> Result<Option<Key>> {
    let file = path(project);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&file, e)),
    };
    remember(project, &bytes);
    let plain = if to_identity(&bytes) {
        let identity = open_identity(project, pass)?;
        let plain = age::decrypt(&identity, &bytes).map_err(|e| match e {
            age::DecryptError::NoMatchingKeys => Error::Key(format!(
                "{} is not encrypted to the identity in {} (was one of them copied from another project or backup?); restore both from the same backup; nothing was changed",
                file.display(),
                identity_path(project).display()
            )),
            other => damaged(&file, &other),
        })?;
        keep(
            project,
            Unlocked {
                pass: pass.clone(),
                identity,
                unwritten: None,
            },
        );
        plain
    } else {
        // Encrypted with the passphrase itself: written before the identity existed (or by a
        // first save interrupted before it rewrote this file; an identity file beside it is
        // then not yet this key's).
        open_with_passphrase(&file, pass, &bytes)?
    };
    let mut key: Key = serde_json::from_slice(&plain).map_err(|e| {
        Error::Key(format!(
            "{} decrypts but its contents are damaged ({e}); restore it from a backup",
            file.display()
        ))
    })?;
    key.reindex();
    Ok(Some(key))
}

/// The identity in `key-identity.age`, opened with the passphrase.
fn open_identity(project: &Path, pass: &SecretString) -> Result<age::x25519::Identity> {
    let file = identity_path(project);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Key(format!(
                "{} is missing: {} is encrypted to the identity it holds; restore both from a backup (copy the two files together); nothing was changed",
                file.display(),
                path(project).display()
            )));
        }
        Err(e) => return Err(Error::io(&file, e)),
    };
    let plain = open_with_passphrase(&file, pass, &bytes)?;
    std::str::from_utf8(&plain)
        .ok()
        .and_then(|s| s.trim().parse::<age::x25519::Identity>().ok())
        .ok_or_else(|| {
            Error::Key(format!(
                "{} decrypts but holds no identity; restore it from a backup",
                file.display()
            ))
        })
}

fn open_with_passphrase(file: &Path, pass: &SecretString, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut identity = age::scrypt::Identity::new(pass.clone());
    identity.set_max_work_factor(30);
    age::decrypt(&identity, bytes).map_err(|e| match e {
        age::DecryptError::DecryptionFailed
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::NoMatchingKeys => Error::Key(format!(
            "the passphrase does not open {}; nothing was changed",
            file.display()
        )),
        other => damaged(file, &other),
    })
}

fn damaged(file: &Path, e: &age::DecryptError) -> Error {
    Error::Key(format!(
        "{} is damaged or not a narrata key ({e}); restore it from a backup; nothing was changed",
        file.display()
    ))
}

/// A new identity, to be written with the next save, encrypted with the passphrase (the
/// passphrase work) on a thread of its own meanwhile: an import's first files are read while
/// it works.
fn fresh(pass: &SecretString, log_n: u8) -> Result<Unlocked> {
    let identity = age::x25519::Identity::generate();
    let mut recipient = age::scrypt::Recipient::new(pass.clone());
    recipient.set_work_factor(log_n);
    let secret = identity.to_string();
    let work = std::thread::Builder::new()
        .name("narrata-key".into())
        .spawn(move || {
            age::encrypt(&recipient, secret.expose_secret().as_bytes())
                .map_err(|e| Error::Key(format!("the key's identity could not be encrypted: {e}")))
        })
        .map_err(|e| Error::Internal(format!("no thread for the key's identity: {e}")))?;
    Ok(Unlocked {
        pass: pass.clone(),
        identity,
        unwritten: Some(Unwritten::Encrypting(work)),
    })
}

fn keep(project: &Path, unlocked: Unlocked) {
    UNLOCKED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(seen_key(project), unlocked);
}

/// log₂ of scrypt's N for the passphrase (with age's r = 8): 2¹⁷ needs 128 MiB and about a
/// third of a second on a 2-core machine, the work commonly recommended for scrypt. age would
/// otherwise calibrate to about a second on the writing machine, which on this machine meant
/// 2²⁰ (1 GiB of memory for every open, five seconds per import), and a key that a teammate's
/// smaller laptop may struggle to open.
pub const DEFAULT_WORK_FACTOR: u8 = 17;

/// The work factor for new identities: `NARRATA_KEY_WORK_FACTOR` (tests lower it), else the
/// default.
fn work_factor(setting: Option<&str>) -> u8 {
    setting
        .and_then(|v| v.trim().parse::<u8>().ok())
        .map(|n| n.clamp(1, 30))
        .unwrap_or(DEFAULT_WORK_FACTOR)
}

fn current_work_factor() -> u8 {
    work_factor(std::env::var("NARRATA_KEY_WORK_FACTOR").ok().as_deref())
}

/// Encrypts and writes the key: to a temporary file with owner-only permissions, synced, then
/// renamed over the old one, so a crash leaves either the old key or the new one. A new
/// identity is written the same way just before. The key is written as JSON straight into the
/// encryption and the file, never whole in memory: at 290,000 entries its text and cipher
/// had been 110 MB of an import's peak.
pub fn save(project: &Path, key: &Key, pass: &SecretString) -> Result<()> {
    save_with(project, key, pass, current_work_factor())
}

fn save_with(project: &Path, key: &Key, pass: &SecretString, log_n: u8) -> Result<()> {
    let file = path(project);
    let mut unlocked = UNLOCKED.lock().unwrap_or_else(|p| p.into_inner());
    let at = seen_key(project);
    // The identity opened or made for this passphrase. Without one (a key written by this
    // process for the first time, or another passphrase), the identity a key on disk is
    // encrypted to is opened, never replaced; only beside no key, or a key written with the
    // passphrase alone, is a new one made.
    if unlocked
        .get(&at)
        .is_none_or(|u| u.pass.expose_secret() != pass.expose_secret())
    {
        let this = if head_of(&file).as_deref().is_some_and(to_identity) {
            Unlocked {
                pass: pass.clone(),
                identity: open_identity(project, pass)?,
                unwritten: None,
            }
        } else {
            fresh(pass, log_n)?
        };
        unlocked.insert(at.clone(), this);
    }
    let Some(this) = unlocked.get_mut(&at) else {
        return Err(Error::Internal("the key's identity went missing".into()));
    };
    let recipient = this.identity.to_public();
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| Error::Key(format!("the key could not be encrypted: {e}")))?;
    // Checked and written under a lock, so that two processes cannot both pass the check.
    let lock_path = project.join("key.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, e))?;
    // A file system without locks (some network and synchronised folders: on Linux ENOLCK,
    // ENOSYS, EOPNOTSUPP) still gets the check, without the lock around it.
    if let Err(e) = lock.lock()
        && e.kind() != std::io::ErrorKind::Unsupported
        && !matches!(e.raw_os_error(), Some(37 | 38 | 95))
    {
        return Err(Error::io(&lock_path, e));
    }
    if !unchanged_since_seen(project, digest_of(&file)?) {
        return Err(Error::Key(format!(
            "{} was changed by another narrata process after this one opened it; nothing was saved or stored: run the command again (it reads the key anew)",
            file.display()
        )));
    }
    // A new identity goes first: until `key.age` is rewritten to it, the key on disk is one
    // written with the passphrase alone, which opens without it. It counts as written only
    // once the key is (a failure in between writes it again at the next save).
    if let Some(identity) = &mut this.unwritten {
        write_private(&identity_path(project), identity.ready()?)?;
    }
    let mut digest = [0; 32];
    write_private_with(&file, |out| {
        use sha2::Digest;
        let mut hashing = Hashing {
            inner: out,
            hash: sha2::Sha256::new(),
        };
        let mut sealed = encryptor.wrap_output(&mut hashing)?;
        serde_json::to_writer(&mut sealed, key).map_err(std::io::Error::other)?;
        sealed.finish()?;
        digest = hashing.hash.finalize().into();
        Ok(())
    })?;
    this.unwritten = None;
    remember_digest(project, digest);
    drop(lock);
    Ok(())
}

/// Writes `bytes` to `file` through a synced temporary file with owner-only permissions,
/// renamed over it.
fn write_private(file: &Path, bytes: &[u8]) -> Result<()> {
    write_private_with(file, |out| out.write_all(bytes))
}

/// [`write_private`], with what `fill` writes: once it has written everything, or nothing.
fn write_private_with(
    file: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = file.with_extension("age.tmp");
    let written = || -> Result<()> {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        // A temporary file left by an earlier failure may have other permissions: replaced.
        let _ = std::fs::remove_file(&tmp);
        let f = options.open(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, f);
        fill(&mut out).map_err(|e| Error::io(&tmp, e))?;
        out.flush().map_err(|e| Error::io(&tmp, e))?;
        let f = out
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))
    };
    let written = written().and_then(|()| {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| Error::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, file).map_err(|e| Error::io(file, e))
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a new process knows: nothing opened yet.
    fn forget(dir: &Path) {
        UNLOCKED
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&seen_key(dir));
    }

    fn stanzas(file: &Path) -> Vec<String> {
        let bytes = std::fs::read(file).unwrap();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| l.starts_with("-> "))
            .map(|l| l.split(' ').nth(1).unwrap_or_default().to_owned())
            // age adds a stanza of noise ("…-grease") that every reader skips.
            .filter(|tag| !tag.ends_with("-grease"))
            .collect()
    }

    #[test]
    fn a_key_round_trips_and_a_wrong_passphrase_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut k = Key::new("p");
        k.pseudonym("Marieke", "PERSON", "t");
        let pass = SecretString::from("goed".to_owned());
        save_with(dir.path(), &k, &pass, 2).unwrap();
        forget(dir.path());
        let back = load(dir.path(), &pass).unwrap().unwrap();
        assert_eq!(back.entries, k.entries);
        for wrong in ["fout", ""] {
            forget(dir.path());
            let err = load(dir.path(), &SecretString::from(wrong.to_owned())).unwrap_err();
            assert!(
                matches!(err, Error::Key(_)),
                "a wrong passphrase is a key error: {err:?}"
            );
            let err = err.to_string();
            assert!(err.contains("passphrase does not open"), "{err}");
        }
        // Either file damaged is said to be damaged, not a wrong passphrase.
        let key = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        std::fs::write(
            dir.path().join(KEY_FILE),
            b"age-encryption.org/v1\n-> garbage",
        )
        .unwrap();
        let damaged = load(dir.path(), &pass).unwrap_err().to_string();
        assert!(damaged.contains("key.age is damaged"), "{damaged}");
        std::fs::write(dir.path().join(KEY_FILE), &key).unwrap();
        std::fs::write(
            dir.path().join(IDENTITY_FILE),
            b"age-encryption.org/v1\n-> garbage",
        )
        .unwrap();
        let damaged = load(dir.path(), &pass).unwrap_err().to_string();
        assert!(damaged.contains("key-identity.age is damaged"), "{damaged}");
        // The identity missing, or another project's: said so, not a wrong passphrase.
        std::fs::remove_file(dir.path().join(IDENTITY_FILE)).unwrap();
        let missing = load(dir.path(), &pass).unwrap_err().to_string();
        assert!(missing.contains("key-identity.age is missing"), "{missing}");
        let elsewhere = tempfile::tempdir().unwrap();
        save_with(elsewhere.path(), &k, &pass, 2).unwrap();
        std::fs::copy(
            elsewhere.path().join(IDENTITY_FILE),
            dir.path().join(IDENTITY_FILE),
        )
        .unwrap();
        let other = load(dir.path(), &pass).unwrap_err().to_string();
        assert!(
            other.contains("is not encrypted to the identity"),
            "{other}"
        );
        assert!(
            load(tempfile::tempdir().unwrap().path(), &pass)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn the_key_is_encrypted_to_an_identity_that_only_the_passphrase_opens() {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("goed".to_owned());
        let mut k = Key::new("p");
        k.pseudonym("Marieke", "PERSON", "t");
        save_with(dir.path(), &k, &pass, 3).unwrap();
        assert_eq!(stanzas(&dir.path().join(KEY_FILE)), ["X25519"]);
        assert_eq!(stanzas(&dir.path().join(IDENTITY_FILE)), ["scrypt"]);
        // Opened in a new process, saved again: the identity is not written again, the key
        // is, and it still opens with the passphrase alone.
        forget(dir.path());
        let mut opened = load(dir.path(), &pass).unwrap().unwrap();
        let identity = std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap();
        let before = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        opened.pseudonym("Kees", "PERSON", "t");
        save(dir.path(), &opened, &pass).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap(),
            identity
        );
        assert_ne!(std::fs::read(dir.path().join(KEY_FILE)).unwrap(), before);
        forget(dir.path());
        let back = load(dir.path(), &pass).unwrap().unwrap();
        let originals: Vec<&str> = back.entries.iter().map(|e| &*e.original).collect();
        assert_eq!(originals, ["Marieke", "Kees"]);
        #[cfg(unix)]
        for f in [KEY_FILE, IDENTITY_FILE] {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        // The identity file alone opens nothing without the passphrase.
        assert!(
            age::decrypt(
                &age::scrypt::Identity::new(SecretString::from("fout".to_owned())),
                &identity
            )
            .is_err()
        );
    }

    #[test]
    fn a_save_never_replaces_the_identity_a_key_on_disk_is_encrypted_to() {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("goed".to_owned());
        let mut k = Key::new("p");
        k.pseudonym("Marieke", "PERSON", "t");
        save_with(dir.path(), &k, &pass, 2).unwrap();
        let identity = std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap();
        // This process forgets what it held; the key on disk is still the one it saw.
        forget(dir.path());
        k.pseudonym("Kees", "PERSON", "t");
        save_with(dir.path(), &k, &pass, 2).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap(),
            identity
        );
        forget(dir.path());
        assert_eq!(load(dir.path(), &pass).unwrap().unwrap().entries.len(), 2);
        // With another passphrase it is not opened, and nothing is written.
        forget(dir.path());
        let key = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        assert!(save_with(dir.path(), &k, &SecretString::from("fout".to_owned()), 2).is_err());
        assert_eq!(std::fs::read(dir.path().join(KEY_FILE)).unwrap(), key);
        assert_eq!(
            std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap(),
            identity
        );
        // A failed write leaves no temporary file behind.
        assert!(!dir.path().join("key.age.tmp").exists());
    }

    #[test]
    fn a_key_written_with_the_passphrase_alone_opens_and_its_next_save_writes_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("goed".to_owned());
        let mut k = Key::new("p");
        k.pseudonym("Ria Verhoeven", "PERSON", "t");
        save_with_factor(dir.path(), &k, &pass, 2);
        forget(dir.path());
        let mut opened = load(dir.path(), &pass).unwrap().unwrap();
        assert!(!dir.path().join(IDENTITY_FILE).exists());
        opened.pseudonym("Kees", "PERSON", "t");
        save(dir.path(), &opened, &pass).unwrap();
        assert_eq!(stanzas(&dir.path().join(KEY_FILE)), ["X25519"]);
        forget(dir.path());
        assert_eq!(load(dir.path(), &pass).unwrap().unwrap().entries.len(), 2);
        // A first save interrupted between the two files: the identity is written, the key
        // is still the one encrypted with the passphrase. It opens as before.
        let stale = tempfile::tempdir().unwrap();
        save_with_factor(stale.path(), &k, &pass, 2);
        std::fs::copy(
            dir.path().join(IDENTITY_FILE),
            stale.path().join(IDENTITY_FILE),
        )
        .unwrap();
        forget(stale.path());
        let back = load(stale.path(), &pass).unwrap().unwrap();
        assert_eq!(back.entries, k.entries);
        // ... also when that identity was made under another passphrase.
        forget(stale.path());
        let other = SecretString::from("anders".to_owned());
        std::fs::write(
            stale.path().join(IDENTITY_FILE),
            fresh(&other, 2).unwrap().unwrapped_for_test(),
        )
        .unwrap();
        assert_eq!(
            load(stale.path(), &pass).unwrap().unwrap().entries,
            k.entries
        );
    }

    /// An identity whose encryption failed is never written as nothing: every save that
    /// needs it fails, with the reason, however often it is tried.
    #[test]
    fn a_failed_identity_encryption_fails_every_save_and_writes_nothing() {
        let failing = std::thread::spawn(|| Err(Error::Key("no memory for scrypt".into())));
        let mut unwritten = Unwritten::Encrypting(failing);
        for _ in 0..2 {
            let err = unwritten.ready().unwrap_err();
            assert!(err.to_string().contains("no memory for scrypt"), "{err}");
        }
        let panicking = std::thread::spawn(|| -> Result<Vec<u8>> { panic!("scrypt") });
        let mut unwritten = Unwritten::Encrypting(panicking);
        for _ in 0..2 {
            assert!(unwritten.ready().is_err());
        }
        let mut fine = Unwritten::Encrypting(std::thread::spawn(|| Ok(b"age".to_vec())));
        assert_eq!(fine.ready().unwrap(), b"age");
        assert_eq!(fine.ready().unwrap(), b"age");
    }

    impl Unlocked {
        fn unwrapped_for_test(self) -> Vec<u8> {
            self.unwritten.unwrap().ready().unwrap().to_vec()
        }
    }

    #[test]
    fn keys_are_written_with_the_fixed_work_factor_unless_told_otherwise() {
        assert_eq!(work_factor(None), DEFAULT_WORK_FACTOR);
        assert_eq!(work_factor(Some("4")), 4);
        assert_eq!(work_factor(Some("99")), 30);
        assert_eq!(work_factor(Some("many")), DEFAULT_WORK_FACTOR);
        // The factor written is the one asked for: age's header names it after the salt (of
        // the identity file: the passphrase opens the identity).
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("goed".to_owned());
        save_with(dir.path(), &Key::new("p"), &pass, 5).unwrap();
        let header = std::fs::read(dir.path().join(IDENTITY_FILE)).unwrap();
        let header = String::from_utf8_lossy(&header);
        let stanza = header
            .lines()
            .find(|l| l.starts_with("-> scrypt "))
            .unwrap();
        assert!(stanza.ends_with(" 5"), "{stanza}");
        assert!(load(dir.path(), &pass).unwrap().is_some());
    }

    #[test]
    fn a_save_over_a_key_another_process_changed_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let pass = SecretString::from("goed".to_owned());
        let mut ours = Key::new("p");
        ours.pseudonym("Ria Verhoeven", "PERSON", "t");
        save_with(dir.path(), &ours, &pass, 4).unwrap();
        let mut opened = load(dir.path(), &pass).unwrap().unwrap();
        // Another process saves its own pseudonym meanwhile (written here behind our back).
        let mut theirs = opened.clone();
        theirs.pseudonym("Kees de Wit", "PERSON", "t");
        save_with_factor(dir.path(), &theirs, &pass, 4);
        let on_disk = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
        opened.pseudonym("Anna Smit", "PERSON", "t");
        let err = save_with(dir.path(), &opened, &pass, 4)
            .unwrap_err()
            .to_string();
        assert!(err.contains("changed by another narrata process"), "{err}");
        assert_eq!(std::fs::read(dir.path().join(KEY_FILE)).unwrap(), on_disk);
        // Read anew, the key saves again, with both processes' pseudonyms.
        let mut again = load(dir.path(), &pass).unwrap().unwrap();
        again.pseudonym("Anna Smit", "PERSON", "t");
        save_with(dir.path(), &again, &pass, 4).unwrap();
        let last = load(dir.path(), &pass).unwrap().unwrap();
        let originals: Vec<&str> = last.entries.iter().map(|e| &*e.original).collect();
        assert_eq!(originals, ["Ria Verhoeven", "Kees de Wit", "Anna Smit"]);
        // A key made by another process after this one found none is not overwritten either.
        let fresh = tempfile::tempdir().unwrap();
        save_with_factor(fresh.path(), &theirs, &pass, 4);
        assert!(save_with(fresh.path(), &Key::new("p"), &pass, 4).is_err());
    }

    fn save_with_factor(dir: &Path, key: &Key, pass: &SecretString, log_n: u8) {
        let plain = serde_json::to_vec(key).unwrap();
        let mut r = age::scrypt::Recipient::new(pass.clone());
        r.set_work_factor(log_n);
        std::fs::write(dir.join(KEY_FILE), age::encrypt(&r, &plain).unwrap()).unwrap();
    }
}

//! Files attached to cases, stored by their content: `documents/ab/abcdef…` under the
//! cockpit's data directory, named by SHA-256, so the same file attached twice is stored
//! once and a stored file cannot change without its name changing.
//!
//! Only PDF, PNG, JPEG and plain text up to [`MAX_BYTES`] are taken; the type is read from
//! the content (its first bytes), not from the name.

use super::source::StoredDocument;
use sha2::Digest as _;
use std::path::{Path, PathBuf};

/// The largest file taken: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// Why a file is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Empty or larger than [`MAX_BYTES`].
    #[error("a document has 1 byte to 10 MiB")]
    Size,
    /// Not PDF, PNG, JPEG or UTF-8 text.
    #[error("only PDF, PNG, JPEG and plain text are taken")]
    Type,
    /// The name is empty, too long or has path separators or control characters.
    #[error("the file name is not usable")]
    Name,
    /// The disk said no.
    #[error("cannot store the document: {0}")]
    Io(String),
}

impl DocumentError {
    /// The message catalog key that explains this error to the clerk.
    pub fn catalog_key(&self) -> &'static str {
        match self {
            Self::Size => "error.document.size",
            Self::Type => "error.document.type",
            Self::Name => "error.document.name",
            Self::Io(_) => "error.storage",
        }
    }
}

/// The media type of `bytes`, read from their first bytes.
pub fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if std::str::from_utf8(bytes).is_ok_and(|t| !t.contains('\0')) {
        Some("text/plain; charset=utf-8")
    } else {
        None
    }
}

/// How the clerk sees a stored document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewing {
    /// A PDF, PNG or JPEG: this copy, named with the extension of the type its content
    /// was checked to be, for the system's viewer.
    File(PathBuf),
    /// Plain text, shown in the dossier window as text (never handed to the system: a
    /// text file holding HTML or SVG would open in a browser, whose type sniffing trusts
    /// the content over the name). At most [`TEXT_SHOWN`] bytes of it.
    Text {
        /// The text, or its beginning.
        text: String,
        /// Whether the text goes on beyond what is shown.
        cut: bool,
    },
}

/// How much of a text document the dossier window shows: a window laying out ten MiB of
/// text stops answering; a letter or a note is far shorter.
pub const TEXT_SHOWN: usize = 256 * 1024;

/// Characters that reorder the text around them (bidirectional overrides and isolates):
/// in a file name they can make `gnp.exe` read as `exe.png`.
fn reorders(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The stored document `sha256` under `root`, checked again by its content, as the
/// clerk may see it; copies for the system's viewer go under `viewing`.
pub fn viewing(root: &Path, viewing: &Path, sha256: &str) -> Result<Viewing, DocumentError> {
    let source = path(root, sha256)
        .filter(|p| p.exists())
        .ok_or_else(|| DocumentError::Io("the document's file is missing".into()))?;
    let bytes = std::fs::read(&source).map_err(|e| DocumentError::Io(e.to_string()))?;
    let extension = match media_type(&bytes).ok_or(DocumentError::Type)? {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        _ => {
            let mut text = String::from_utf8(bytes).map_err(|_| DocumentError::Type)?;
            let cut = text.len() > TEXT_SHOWN;
            if cut {
                let mut end = TEXT_SHOWN;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            return Ok(Viewing::Text { text, cut });
        }
    };
    std::fs::create_dir_all(viewing).map_err(|e| DocumentError::Io(e.to_string()))?;
    let copy = viewing.join(format!("{sha256}.{extension}"));
    // Written beside under a name of its own and renamed, as the store does: two opens at
    // once each write their own file, and the copy is whole whichever rename comes last.
    let mut unique = [0u8; 8];
    getrandom::fill(&mut unique).map_err(|e| DocumentError::Io(e.to_string()))?;
    let partial = viewing.join(format!("{sha256}.{}.partial", hex::encode(unique)));
    std::fs::write(&partial, &bytes).map_err(|e| DocumentError::Io(e.to_string()))?;
    std::fs::rename(&partial, &copy).map_err(|e| DocumentError::Io(e.to_string()))?;
    Ok(Viewing::File(copy))
}

/// Where the file with digest `sha256` lives under `root`.
pub fn path(root: &Path, sha256: &str) -> Option<PathBuf> {
    (sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| root.join(&sha256[..2]).join(sha256))
}

/// Checks and stores `bytes` named `name` under `root`; what was stored.
pub fn store(root: &Path, name: &str, bytes: &[u8]) -> Result<StoredDocument, DocumentError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name
            .chars()
            .any(|c| c.is_control() || reorders(c) || c == '/' || c == '\\')
    {
        return Err(DocumentError::Name);
    }
    if bytes.is_empty() || bytes.len() > MAX_BYTES {
        return Err(DocumentError::Size);
    }
    let media_type = media_type(bytes).ok_or(DocumentError::Type)?;
    let sha256 = hex::encode(sha2::Sha256::digest(bytes));
    let target = path(root, &sha256).ok_or(DocumentError::Type)?;
    if !target.exists() {
        let dir = target.parent().ok_or(DocumentError::Name)?;
        std::fs::create_dir_all(dir).map_err(|e| DocumentError::Io(e.to_string()))?;
        // Written beside and renamed, so a crash never leaves half a file under the name.
        let partial = dir.join(format!("{sha256}.partial"));
        std::fs::write(&partial, bytes).map_err(|e| DocumentError::Io(e.to_string()))?;
        std::fs::rename(&partial, &target).map_err(|e| DocumentError::Io(e.to_string()))?;
    }
    Ok(StoredDocument {
        sha256,
        name: name.to_owned(),
        media_type: media_type.to_owned(),
        size_bytes: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_and_limits_hold() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = store(dir.path(), "vergunning.pdf", b"%PDF-1.4\n...").unwrap();
        assert_eq!(pdf.media_type, "application/pdf");
        assert_eq!(
            std::fs::read(path(dir.path(), &pdf.sha256).unwrap()).unwrap(),
            b"%PDF-1.4\n..."
        );
        // The same bytes under another name are stored once.
        let again = store(dir.path(), "kopie.pdf", b"%PDF-1.4\n...").unwrap();
        assert_eq!(again.sha256, pdf.sha256);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(
            store(
                dir.path(),
                "plan.exe",
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff"
            ),
            Err(DocumentError::Type)
        );
        assert_eq!(store(dir.path(), "leeg.txt", b""), Err(DocumentError::Size));
        assert_eq!(
            store(dir.path(), "groot.txt", &vec![b'a'; MAX_BYTES + 1]),
            Err(DocumentError::Size)
        );
        assert_eq!(
            store(dir.path(), "../../etc/passwd", b"x"),
            Err(DocumentError::Name)
        );
        assert!(path(dir.path(), "../x").is_none());
    }

    /// Issue 12: the stored file (no extension) went to the system's viewer, which
    /// sniffs the content: a "text" file holding HTML opened in a browser.
    #[test]
    fn text_is_shown_as_text_and_files_go_out_with_their_checked_extension() {
        let dir = tempfile::tempdir().unwrap();
        let (root, view) = (dir.path().join("documents"), dir.path().join("viewing"));
        let html = "<html><body><script>alert(1)</script></body></html>";
        let text = store(&root, "brief.txt", html.as_bytes()).unwrap();
        assert_eq!(
            viewing(&root, &view, &text.sha256),
            Ok(Viewing::Text {
                text: html.to_owned(),
                cut: false
            })
        );
        // A long text shows its beginning, cut at a character, and says so.
        let long = "é".repeat(TEXT_SHOWN);
        let stored = store(&root, "lang.txt", long.as_bytes()).unwrap();
        let Ok(Viewing::Text { text, cut: true }) = viewing(&root, &view, &stored.sha256) else {
            panic!("a long text is cut");
        };
        assert!(text.len() <= TEXT_SHOWN && text.chars().all(|c| c == 'é'));
        // A name that reorders itself is refused.
        assert_eq!(
            store(&root, "foto\u{202E}gnp.exe", b"%PDF-1.4"),
            Err(DocumentError::Name)
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let image = store(&root, "plan.txt", png).unwrap();
        let Ok(Viewing::File(copy)) = viewing(&root, &view, &image.sha256) else {
            panic!("a PNG goes to the viewer");
        };
        assert_eq!(copy.extension().unwrap(), "png", "named by its content");
        assert_eq!(std::fs::read(&copy).unwrap(), png);
        // A stored file changed behind Balie's back is checked again.
        std::fs::write(path(&root, &image.sha256).unwrap(), b"MZ\x90\x00\xff").unwrap();
        assert_eq!(
            viewing(&root, &view, &image.sha256),
            Err(DocumentError::Type)
        );
    }
}

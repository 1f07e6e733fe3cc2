//! Bounds a workbook's ZIP container must keep before any reader opens it: no entry
//! that inflates far beyond its compressed size (a ZIP bomb), a shared-strings table
//! that fits in memory (calamine holds it whole), and a reasonable size unpacked.
//! Read with the `zip` crate that calamine itself uses; nothing is parsed by hand.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

/// The largest shared-strings table accepted, unpacked: calamine keeps it in memory
/// for the whole import. A register of a million rows of distinct names stays far
/// below it.
pub const MAX_SHARED_STRINGS: u64 = 64 * 1024 * 1024;

/// The most an entry may inflate, as a multiple of its compressed size, once it is
/// larger than [`RATIO_CHECKED_FROM`]: a sheet's XML compresses some 5 to 30 times;
/// a ZIP bomb thousands of times.
pub const MAX_RATIO: u64 = 200;

/// Entries smaller than this unpacked are not held to [`MAX_RATIO`].
pub const RATIO_CHECKED_FROM: u64 = 16 * 1024 * 1024;

/// The most all entries together may hold unpacked: some ten times what a sheet of a
/// million register rows takes.
pub const MAX_UNPACKED: u64 = 4 * 1024 * 1024 * 1024;

/// Why a workbook is refused before it is read: the error's code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// `zip_bomb` or `workbook_too_large`.
    pub code: &'static str,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// A size in MiB, rounded down.
fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / 1_048_576)
}

/// Checks the ZIP container at `path` against the bounds above; `Ok(None)` when the
/// archive cannot even be listed (the workbook readers then say why it is unreadable).
///
/// Fails when the file cannot be read.
pub fn check(path: &Path) -> io::Result<Option<Refused>> {
    let Ok(mut archive) = zip::ZipArchive::new(BufReader::new(File::open(path)?)) else {
        return Ok(None);
    };
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            return Ok(None);
        };
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size >= RATIO_CHECKED_FROM && size / packed > MAX_RATIO {
            return Ok(Some(Refused {
                code: "zip_bomb",
                message: format!(
                    "工作簿中的“{}”压缩后 {}，解压后达 {}（{} 倍），远超正常表格，疑为压缩炸弹，已拒绝导入",
                    entry.name().unwrap_or_default(),
                    mib(packed),
                    mib(size),
                    size / packed
                ),
            }));
        }
        unpacked = unpacked.saturating_add(size);
    }
    if unpacked > MAX_UNPACKED {
        return Ok(Some(Refused {
            code: "workbook_too_large",
            message: format!(
                "工作簿解压后共 {}，超过上限 {}；请只保留台账工作表后重新导入",
                mib(unpacked),
                mib(MAX_UNPACKED)
            ),
        }));
    }
    // The table's size as the archive states it may lie: inflate it and count.
    if let Ok(strings) = archive.by_name("xl/sharedStrings.xml") {
        let inflated = io::copy(&mut strings.take(MAX_SHARED_STRINGS + 1), &mut io::sink())
            .unwrap_or(MAX_SHARED_STRINGS + 1);
        if inflated > MAX_SHARED_STRINGS {
            return Ok(Some(Refused {
                code: "workbook_too_large",
                message: format!(
                    "工作簿的共享字符串表（xl/sharedStrings.xml）超过上限 {}，无法安全读取；请删去无关的工作表或内容后重新导入",
                    mib(MAX_SHARED_STRINGS)
                ),
            }));
        }
    }
    Ok(None)
}

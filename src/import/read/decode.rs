//! Telling a file's encoding without being told (UTF-8 with or without BOM, or
//! GB18030/GBK as Excel in a Chinese locale writes), and decoding it as a stream.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use encoding_rs::{DecoderResult, GB18030};
use sha2::{Digest, Sha256};

const CHUNK: usize = 64 * 1024;
const UTF8_BOM: &[u8; 3] = b"\xEF\xBB\xBF";

/// A text encoding the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" writes.
    Utf8Bom,
    /// GB18030, the superset of GBK and GB2312.
    Gb18030,
}

impl TextEncoding {
    /// The name reported in import batches.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Gb18030 => "gb18030",
        }
    }
}

/// What one read of the whole file found: its hash, size and encoding.
#[derive(Debug, Clone)]
pub struct Sniffed {
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The encoding, or the physical line (1-based) where the bytes are neither
    /// UTF-8 nor GB18030.
    pub encoding: Result<TextEncoding, u64>,
}

/// Reads the file once to hash it and validate it as UTF-8; when that fails, once more
/// to validate it as GB18030.
///
/// A file whose bytes before its first UTF-8 fault hold at least two UTF-8 Chinese
/// characters is damaged UTF-8: it is undecodable at the line of that fault, even where
/// its bytes happen to be valid GB18030 (they would decode to nonsense). Any other file
/// that is not UTF-8 is read as GB18030, and is undecodable at the line of its first
/// GB18030 fault. Fails only when the file cannot be read.
pub fn sniff(path: &Path) -> io::Result<Sniffed> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut validator = Utf8Validator::default();
    let mut buf = vec![0u8; CHUNK];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        validator.feed(&buf[..n], size == 0);
        size += n as u64;
    }
    validator.finish();
    let sha256 = hex::encode(hasher.finalize());
    let encoding = match validator.fault_line {
        Some(utf8_line) if validator.wide_chars_before_fault >= 2 => Err(utf8_line),
        None if validator.bom => Ok(TextEncoding::Utf8Bom),
        None => Ok(TextEncoding::Utf8),
        Some(_) => match gb18030_fault_line(path)? {
            None => Ok(TextEncoding::Gb18030),
            Some(gb_line) => Err(gb_line),
        },
    };
    Ok(Sniffed {
        sha256,
        size,
        encoding,
    })
}

/// Streaming UTF-8 validation that remembers where the first fault is.
#[derive(Default)]
struct Utf8Validator {
    carry: Vec<u8>,
    newlines: u64,
    bom: bool,
    wide_chars_before_fault: u64,
    fault_line: Option<u64>,
}

impl Utf8Validator {
    fn feed(&mut self, chunk: &[u8], first: bool) {
        if self.fault_line.is_some() {
            return;
        }
        if first && chunk.starts_with(UTF8_BOM) {
            self.bom = true;
        }
        let mut bytes = std::mem::take(&mut self.carry);
        bytes.extend_from_slice(chunk);
        match std::str::from_utf8(&bytes) {
            Ok(text) => self.count(text.as_bytes()),
            Err(e) => {
                let valid = &bytes[..e.valid_up_to()];
                self.count(valid);
                match e.error_len() {
                    // An incomplete sequence at the end of the chunk: finish it next time.
                    None => self.carry = bytes[e.valid_up_to()..].to_vec(),
                    Some(_) => self.fault_line = Some(self.newlines + 1),
                }
            }
        }
    }

    fn count(&mut self, valid: &[u8]) {
        self.newlines += memchr_count(b'\n', valid);
        // Lead bytes of three- and four-byte sequences: CJK and beyond.
        self.wide_chars_before_fault +=
            valid.iter().filter(|b| (0xE0..=0xF4).contains(*b)).count() as u64;
    }

    fn finish(&mut self) {
        if self.fault_line.is_none() && !self.carry.is_empty() {
            self.fault_line = Some(self.newlines + 1);
        }
    }
}

fn memchr_count(needle: u8, haystack: &[u8]) -> u64 {
    haystack.iter().filter(|b| **b == needle).count() as u64
}

/// The physical line of the first byte sequence that is not GB18030, if any.
fn gb18030_fault_line(path: &Path) -> io::Result<Option<u64>> {
    let mut file = File::open(path)?;
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut input = vec![0u8; CHUNK];
    let mut output = vec![0u8; CHUNK * 2 + 16];
    let mut newlines = 0u64;
    loop {
        let n = file.read(&mut input)?;
        let last = n == 0;
        let mut consumed = 0;
        loop {
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(&input[consumed..n], &mut output, last);
            consumed += read;
            newlines += memchr_count(b'\n', &output[..written]);
            match result {
                DecoderResult::InputEmpty => break,
                DecoderResult::OutputFull => continue,
                DecoderResult::Malformed(_, _) => return Ok(Some(newlines + 1)),
            }
        }
        if last {
            return Ok(None);
        }
    }
}

/// A reader that yields the file's text as UTF-8, without a byte-order mark and with
/// CRLF line ends turned into LF, and that knows on which physical line of the file
/// any byte of its output lies.
pub struct DecodingReader {
    inner: BufReader<File>,
    decoder: Option<encoding_rs::Decoder>,
    input: Vec<u8>,
    output: Vec<u8>,
    out_pos: usize,
    out_len: usize,
    done: bool,
    consumed: u64,
    /// A `\r` that ended the last chunk, held back until the next byte shows whether
    /// it starts a CRLF.
    held_cr: bool,
    /// Bytes handed out so far.
    emitted: u64,
    /// Offsets (in the output) of line feeds not yet passed by [`Self::line_at`].
    newlines: std::collections::VecDeque<u64>,
    /// Line feeds already passed.
    lines_passed: u64,
}

impl DecodingReader {
    /// Opens `path` for reading as `encoding`.
    ///
    /// Fails when the file cannot be opened or its byte-order mark cannot be read.
    pub fn open(path: &Path, encoding: TextEncoding) -> io::Result<Self> {
        let mut inner = BufReader::with_capacity(CHUNK, File::open(path)?);
        if encoding == TextEncoding::Utf8Bom {
            let mut bom = [0u8; 3];
            inner.read_exact(&mut bom)?;
        }
        let decoder = match encoding {
            TextEncoding::Gb18030 => Some(GB18030.new_decoder_without_bom_handling()),
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => None,
        };
        Ok(DecodingReader {
            inner,
            decoder,
            input: vec![0u8; CHUNK],
            output: vec![0u8; CHUNK * 2 + 16],
            out_pos: 0,
            out_len: 0,
            done: false,
            consumed: 0,
            held_cr: false,
            emitted: 0,
            newlines: std::collections::VecDeque::new(),
            lines_passed: 0,
        })
    }

    /// How many bytes of the file have been read so far.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// The physical line (1-based) of the first non-empty line at or after output
    /// offset `byte`. Offsets must be asked in increasing order, as a CSV reader meets
    /// its records; empty lines it skipped before a record are counted.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        while self.newlines.front().is_some_and(|offset| *offset < byte) {
            self.newlines.pop_front();
            self.lines_passed += 1;
        }
        let leading_empty = self
            .newlines
            .iter()
            .enumerate()
            .take_while(|(i, offset)| **offset == byte + *i as u64)
            .count() as u64;
        self.lines_passed + leading_empty + 1
    }

    /// Decodes the next chunk of the file into `output`; `false` at the end.
    fn fill(&mut self) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        let n = self.inner.read(&mut self.input)?;
        self.consumed += n as u64;
        let last = n == 0;
        let mut written = 0;
        if self.held_cr {
            self.output[0] = b'\r';
            written = 1;
            self.held_cr = false;
        }
        match self.decoder.as_mut() {
            // The output buffer holds the worst case of one input chunk, so one call
            // decodes the whole chunk; the file was validated, so nothing is replaced.
            Some(decoder) => {
                let (_, _, w, _) =
                    decoder.decode_to_utf8(&self.input[..n], &mut self.output[written..], last);
                written += w;
            }
            None => {
                self.output[written..written + n].copy_from_slice(&self.input[..n]);
                written += n;
            }
        }
        // CRLF to LF, in place; a CR at the very end waits for the next chunk.
        let mut kept = 0;
        let mut i = 0;
        while i < written {
            let b = self.output[i];
            if b == b'\r' {
                if i + 1 == written && !last {
                    self.held_cr = true;
                    i += 1;
                    continue;
                }
                if i + 1 < written && self.output[i + 1] == b'\n' {
                    i += 1;
                    continue;
                }
            }
            if b == b'\n' {
                self.newlines.push_back(self.emitted + kept as u64);
            }
            self.output[kept] = b;
            kept += 1;
            i += 1;
        }
        self.emitted += kept as u64;
        self.out_pos = 0;
        self.out_len = kept;
        self.done = last;
        Ok(true)
    }
}

impl Read for DecodingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_pos == self.out_len {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out_len - self.out_pos);
        buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn sniff_bytes(bytes: &[u8]) -> Sniffed {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(bytes).expect("write");
        sniff(file.path()).expect("sniff")
    }

    fn decode_bytes(bytes: &[u8]) -> String {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(bytes).expect("write");
        let sniffed = sniff(file.path()).expect("sniff");
        let mut text = String::new();
        DecodingReader::open(file.path(), sniffed.encoding.expect("decodable"))
            .expect("open")
            .read_to_string(&mut text)
            .expect("read");
        text
    }

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(
            sniff_bytes("项目编号\n".as_bytes()).encoding,
            Ok(TextEncoding::Utf8)
        );
        assert_eq!(
            sniff_bytes(b"\xEF\xBB\xBFproject_code\n").encoding,
            Ok(TextEncoding::Utf8Bom)
        );
        let (gbk, _, _) = GB18030.encode("兴平市\r\n项目编号\r\n");
        assert_eq!(sniff_bytes(&gbk).encoding, Ok(TextEncoding::Gb18030));
        assert_eq!(decode_bytes(&gbk), "兴平市\n项目编号\n");
        assert_eq!(decode_bytes(b"\xEF\xBB\xBFa,b\n"), "a,b\n");
    }

    #[test]
    fn bytes_that_are_neither_report_their_line() {
        // Line 3 holds 0xFF, which starts no sequence in either encoding.
        assert_eq!(sniff_bytes(b"a\nb\nc\xFF\n").encoding, Err(3));
        // Valid UTF-8 Chinese on line 1, then a broken sequence on line 2.
        assert_eq!(
            sniff_bytes(
                "兴平\n"
                    .as_bytes()
                    .iter()
                    .chain(b"x\xE5\x85\n")
                    .copied()
                    .collect::<Vec<_>>()
                    .as_slice()
            )
            .encoding,
            Err(2)
        );
    }

    #[test]
    fn crlf_becomes_lf_and_lines_are_known() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(b"a\r\n\r\nb\rc\r\nd").expect("write");
        let mut reader = DecodingReader::open(file.path(), TextEncoding::Utf8).expect("open");
        let mut text = String::new();
        reader.read_to_string(&mut text).expect("read");
        assert_eq!(text, "a\n\nb\rc\nd");
        assert_eq!(reader.line_at(0), 1);
        // Offset 2 is the empty line 2; the next content starts on line 3.
        assert_eq!(reader.line_at(2), 3);
        assert_eq!(reader.line_at(7), 4);
    }

    #[test]
    fn a_cr_at_a_chunk_boundary_still_pairs_with_its_lf() {
        let mut bytes = vec![b'x'; CHUNK - 1];
        bytes.extend_from_slice(b"\r\ny\r\n");
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(&bytes).expect("write");
        let mut reader = DecodingReader::open(file.path(), TextEncoding::Utf8).expect("open");
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read");
        assert_eq!(&out[CHUNK - 1..], b"\ny\n");
    }

    #[test]
    fn long_gbk_files_decode_across_chunk_boundaries() {
        let text = "兴平市扶贫项目资产登记表,一,二\n".repeat(10_000);
        let (gbk, _, _) = GB18030.encode(&text);
        assert_eq!(decode_bytes(&gbk), text);
    }
}

//! PNG encoding of an RGB picture: the signature, IHDR, pHYs (the resolution, so a word
//! processor sizes it right), IDAT compressed with zlib, IEND; each chunk with its CRC.

use std::io::Write;

/// Encodes `pixels` (RGB, row by row, `width × height × 3` bytes) at `dpi` dots per inch.
pub fn encode(width: u32, height: u32, pixels: &[u8], dpi: u32) -> Vec<u8> {
    assert_eq!(pixels.len(), (width * height * 3) as usize, "RGB pixels");
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    // 8 bits per channel, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
    let mut physical = Vec::with_capacity(9);
    physical.extend(per_metre.to_be_bytes());
    physical.extend(per_metre.to_be_bytes());
    physical.push(1);
    chunk(&mut out, b"pHYs", &physical);
    // Each row starts with its filter type: 0, none (charts are flat colour and compress well
    // as they are).
    let mut raw = Vec::with_capacity(pixels.len() + height as usize);
    for row in pixels.chunks_exact(width as usize * 3) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("compressing into memory");
    chunk(
        &mut out,
        b"IDAT",
        &z.finish().expect("compressing into memory"),
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend(kind);
    out.extend(data);
    out.extend(crc.finalize().to_be_bytes());
}

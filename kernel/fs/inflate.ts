// inflate.ts — a DEFLATE decoder (RFC 1951) and the gzip wrapper (RFC 1952), for gzip'd initrds.
//
// The decoder follows Mark Adler's "puff": it reads the input least significant bit first and
// decodes Huffman codes one bit at a time with canonical-code tables (`count` of codes per
// length, `symbol` in code order) — short and clear rather than fast. The three
// block types:
//   0 stored   byte-aligned LEN, NLEN (its complement), then LEN raw bytes
//   1 fixed    the literal/length and distance codes of RFC 1951 3.2.6
//   2 dynamic  the code lengths themselves Huffman-coded (HCLEN code-length codes first)
// A literal/length symbol < 256 is a byte; 256 ends the block; 257..285 is a length (base +
// extra bits) followed by a distance code; the match copies from `distance` bytes back in the
// output (which may overlap what it writes: "abababab" from "ab").
//
// All output goes into one buffer given by the caller; running past its end, running out of
// input, or a malformed code is an error, never a fault. gunzip() also checks the trailer: the
// CRC-32 of the output and its length mod 2^32 (ISIZE).

// Error codes (negative) and their messages (Linux's decompressor says "crc error" and so on).
export const INFLATE_OK: i32 = 0;
export const INFLATE_TRUNCATED: i32 = -1;
export const INFLATE_BAD_DATA: i32 = -2;
export const INFLATE_OUTPUT_FULL: i32 = -3;
export const GZIP_BAD_HEADER: i32 = -4;
export const GZIP_CRC_ERROR: i32 = -5;
export const GZIP_LENGTH_ERROR: i32 = -6;

export function inflateErrorText(err: i32): string {
  switch (err) {
    case INFLATE_TRUNCATED: return "unexpected end of compressed data";
    case INFLATE_BAD_DATA: return "invalid compressed data";
    case INFLATE_OUTPUT_FULL: return "out of memory for decompressed data";
    case GZIP_BAD_HEADER: return "bad gzip header";
    case GZIP_CRC_ERROR: return "crc error";
    case GZIP_LENGTH_ERROR: return "length error";
    default: return "decompressor failed";
  }
}

const MAXBITS: i32 = 15;
const FAST_BITS: u32 = 9;
const FAST_MASK: u32 = 511;

// The decoder's state (one decompression at a time: it runs at boot, before any process).
let inBuf: usize = 0;
let inLen: u32 = 0;
let inPos: u32 = 0;
let bitBuf: u32 = 0;
let bitCount: u32 = 0;
let outBuf: usize = 0;
let outLen: u32 = 0;
let outPos: u32 = 0;
let failed: i32 = 0;

// Huffman tables: literal/length and distance.
const lenCount = new StaticArray<u16>(16);
const lenSymbol = new StaticArray<u16>(288);
const distCount = new StaticArray<u16>(16);
const distSymbol = new StaticArray<u16>(30);
const lengths = new StaticArray<u16>(320);
const offsets = new StaticArray<u16>(16);
const nextCode = new StaticArray<u16>(16);
// Fast look-up tables, indexed by the next FAST_BITS input bits: symbol << 4 | code length.
const lenFast = new StaticArray<u16>(512);
const distFast = new StaticArray<u16>(512);

const lengthBase: StaticArray<u16> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const lengthExtra: StaticArray<u16> = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const distBase: StaticArray<u16> = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const distExtra: StaticArray<u16> = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const codeLengthOrder: StaticArray<u8> = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** The next `need` bits (need ≤ 16), LSB first; on running out of input sets `failed`. */
function bits(need: u32): u32 {
  let value = bitBuf;
  while (bitCount < need) {
    if (inPos >= inLen) {
      failed = INFLATE_TRUNCATED;
      return 0;
    }
    value |= <u32>load<u8>(inBuf + inPos++) << bitCount;
    bitCount += 8;
  }
  bitBuf = value >> need;
  bitCount -= need;
  return value & ((<u32>1 << need) - 1);
}

/** Builds a canonical Huffman table from n code lengths. False if over-subscribed. */
function construct(count: StaticArray<u16>, symbol: StaticArray<u16>, fast: StaticArray<u16>, length: StaticArray<u16>, first: i32, n: i32): bool {
  for (let len = 0; len <= MAXBITS; len++) count[len] = 0;
  for (let i: u32 = 0; i <= FAST_MASK; i++) fast[i] = 0;
  for (let s = 0; s < n; s++) count[length[first + s]]++;
  if (<i32>count[0] == n) return true; // no codes: complete, but decoding will fail
  let left = 1;
  for (let len = 1; len <= MAXBITS; len++) {
    left <<= 1;
    left -= <i32>count[len];
    if (left < 0) return false;
  }
  offsets[1] = 0;
  for (let len = 1; len < MAXBITS; len++) offsets[len + 1] = offsets[len] + count[len];
  for (let s = 0; s < n; s++) {
    if (length[first + s] != 0) symbol[offsets[length[first + s]]++] = <u16>s;
  }
  // the fast table: each short code, bit-reversed (codes are read LSB first), at every index
  // whose low bits are that code
  let code = 0;
  for (let len = 1; len <= MAXBITS; len++) {
    const shorter = len == 1 ? 0 : <i32>count[len - 1]; // count[0] counts unused symbols
    code = (code + shorter) << 1;
    nextCode[len] = <u16>code;
  }
  for (let s = 0; s < n; s++) {
    const len = <u32>length[first + s];
    if (len == 0) continue;
    const c = <u32>nextCode[len]++;
    if (len > FAST_BITS) continue;
    let reversed: u32 = 0;
    for (let i: u32 = 0; i < len; i++) reversed |= ((c >> i) & 1) << (len - 1 - i);
    for (let k = reversed; k <= FAST_MASK; k += <u32>1 << len) fast[k] = <u16>((<u32>s << 4) | len);
  }
  return true;
}

/** The slow path: grow the code one bit at a time (codes longer than FAST_BITS). */
function decodeSlow(count: StaticArray<u16>, symbol: StaticArray<u16>): i32 {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= MAXBITS; len++) {
    code |= <i32>bits(1);
    if (failed != 0) return -1;
    const n = <i32>count[len];
    if (code - n < first) return <i32>symbol[index + (code - first)];
    index += n;
    first += n;
    first <<= 1;
    code <<= 1;
  }
  failed = INFLATE_BAD_DATA;
  return -1;
}

/**
 * Decodes one symbol; -1 (and `failed`) on a bad code or end of input. Fast path: with at
 * least FAST_BITS bits buffered, one look-up in `fast` gives the symbol and its code length
 * (zlib's idea); a longer code, or too few bits left at the end of the input, takes the slow path.
 */
function decode(count: StaticArray<u16>, symbol: StaticArray<u16>, fast: StaticArray<u16>): i32 {
  while (bitCount <= 24 && inPos < inLen) {
    bitBuf |= <u32>load<u8>(inBuf + inPos++) << bitCount;
    bitCount += 8;
  }
  const entry = <u32>fast[bitBuf & FAST_MASK];
  const len = entry & 15;
  if (entry != 0 && len <= bitCount) {
    bitBuf >>= len;
    bitCount -= len;
    return <i32>(entry >> 4);
  }
  return decodeSlow(count, symbol);
}

function stored(): void {
  inPos -= bitCount >> 3; // give back the whole bytes decode() read ahead,
  bitBuf = 0; //             and skip to a byte boundary
  bitCount = 0;
  if (inPos + 4 > inLen) { failed = INFLATE_TRUNCATED; return; }
  const len = <u32>load<u8>(inBuf + inPos) | (<u32>load<u8>(inBuf + inPos + 1) << 8);
  const nlen = <u32>load<u8>(inBuf + inPos + 2) | (<u32>load<u8>(inBuf + inPos + 3) << 8);
  inPos += 4;
  if (len != (~nlen & 0xffff)) { failed = INFLATE_BAD_DATA; return; }
  if (inPos + len > inLen) { failed = INFLATE_TRUNCATED; return; }
  if (outPos + len > outLen) { failed = INFLATE_OUTPUT_FULL; return; }
  memory_copy(outBuf + outPos, inBuf + inPos, len);
  inPos += len;
  outPos += len;
}

/** Decodes literals and matches with the current tables until end of block. */
function codes(): void {
  while (true) {
    let symbol = decode(lenCount, lenSymbol, lenFast);
    if (symbol < 0) return;
    if (symbol < 256) {
      if (outPos >= outLen) { failed = INFLATE_OUTPUT_FULL; return; }
      store<u8>(outBuf + outPos++, <u8>symbol);
      continue;
    }
    if (symbol == 256) return;
    symbol -= 257;
    if (symbol >= 29) { failed = INFLATE_BAD_DATA; return; }
    const len = <u32>lengthBase[symbol] + bits(<u32>lengthExtra[symbol]);
    const d = decode(distCount, distSymbol, distFast);
    if (d < 0) return;
    if (d >= 30) { failed = INFLATE_BAD_DATA; return; }
    const dist = <u32>distBase[d] + bits(<u32>distExtra[d]);
    if (failed != 0) return;
    if (dist > outPos) { failed = INFLATE_BAD_DATA; return; }
    if (outPos + len > outLen) { failed = INFLATE_OUTPUT_FULL; return; }
    if (dist >= len) {
      memory_copy(outBuf + outPos, outBuf + outPos - dist, len);
      outPos += len;
    } else {
      for (let i: u32 = 0; i < len; i++) { // byte by byte: the copy overlaps what it writes
        store<u8>(outBuf + outPos, load<u8>(outBuf + outPos - dist));
        outPos++;
      }
    }
  }
}

function fixed(): void {
  for (let s = 0; s < 144; s++) lengths[s] = 8;
  for (let s = 144; s < 256; s++) lengths[s] = 9;
  for (let s = 256; s < 280; s++) lengths[s] = 7;
  for (let s = 280; s < 288; s++) lengths[s] = 8;
  construct(lenCount, lenSymbol, lenFast, lengths, 0, 288);
  for (let s = 0; s < 30; s++) lengths[s] = 5;
  construct(distCount, distSymbol, distFast, lengths, 0, 30);
  codes();
}

function dynamic(): void {
  const nlen = <i32>bits(5) + 257;
  const ndist = <i32>bits(5) + 1;
  const ncode = <i32>bits(4) + 4;
  if (failed != 0) return;
  if (nlen > 286 || ndist > 30) { failed = INFLATE_BAD_DATA; return; }
  for (let i = 0; i < 19; i++) lengths[codeLengthOrder[i]] = i < ncode ? <u16>bits(3) : 0;
  if (failed != 0) return;
  if (!construct(lenCount, lenSymbol, lenFast, lengths, 0, 19)) { failed = INFLATE_BAD_DATA; return; }
  let index = 0;
  while (index < nlen + ndist) {
    let symbol = decode(lenCount, lenSymbol, lenFast);
    if (symbol < 0) return;
    if (symbol < 16) {
      lengths[index++] = <u16>symbol;
      continue;
    }
    let len: u16 = 0;
    let repeat: i32 = 0;
    if (symbol == 16) {
      if (index == 0) { failed = INFLATE_BAD_DATA; return; }
      len = lengths[index - 1];
      repeat = 3 + <i32>bits(2);
    } else if (symbol == 17) repeat = 3 + <i32>bits(3);
    else repeat = 11 + <i32>bits(7);
    if (failed != 0) return;
    if (index + repeat > nlen + ndist) { failed = INFLATE_BAD_DATA; return; }
    while (repeat-- > 0) lengths[index++] = len;
  }
  if (lengths[256] == 0) { failed = INFLATE_BAD_DATA; return; } // no end-of-block code
  if (!construct(lenCount, lenSymbol, lenFast, lengths, 0, nlen)) { failed = INFLATE_BAD_DATA; return; }
  if (!construct(distCount, distSymbol, distFast, lengths, nlen, ndist)) { failed = INFLATE_BAD_DATA; return; }
  codes();
}

/**
 * Inflates the raw DEFLATE stream at src[0..srcLen) into dst (room for dstLen bytes). Returns the
 * number of bytes made, or a negative error code. `inflateInputUsed` is how much input it read.
 */
export let inflateInputUsed: u32 = 0;
export function inflate(dst: usize, dstLen: u32, src: usize, srcLen: u32): i32 {
  inBuf = src;
  inLen = srcLen;
  inPos = 0;
  bitBuf = 0;
  bitCount = 0;
  outBuf = dst;
  outLen = dstLen;
  outPos = 0;
  failed = 0;
  let last: u32 = 0;
  do {
    last = bits(1);
    const type = bits(2);
    if (failed != 0) break;
    if (type == 0) stored();
    else if (type == 1) fixed();
    else if (type == 2) dynamic();
    else failed = INFLATE_BAD_DATA;
  } while (last == 0 && failed == 0);
  inflateInputUsed = inPos - (bitCount >> 3); // bytes read ahead were not used
  return failed != 0 ? failed : <i32>outPos;
}

// ---- CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as gzip uses it

const crcTable = new StaticArray<u32>(256);
let crcTableReady: bool = false;

export function crc32(crc: u32, data: usize, n: u32): u32 {
  if (!crcTableReady) {
    for (let i: u32 = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >> 1) : c >> 1;
      crcTable[i] = c;
    }
    crcTableReady = true;
  }
  crc = ~crc;
  for (let i: u32 = 0; i < n; i++) crc = crcTable[(crc ^ load<u8>(data + i)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

// ---- gzip (RFC 1952): ID1 ID2 CM FLG MTIME(4) XFL OS [FEXTRA] [FNAME] [FCOMMENT] [FHCRC] data CRC32 ISIZE

export function isGzip(src: usize, srcLen: u32): bool {
  return srcLen >= 2 && load<u8>(src) == 0x1f && load<u8>(src + 1) == 0x8b;
}

/** ISIZE of a gzip member that ends at src + srcLen (a hint for the output size). */
export function gzipSizeHint(src: usize, srcLen: u32): u32 {
  if (srcLen < 18) return 0;
  return load<u32>(src + srcLen - 4);
}

/** The number of input bytes the last gunzip consumed (header + data + trailer). */
export let gunzipInputUsed: u32 = 0;

/** Decompresses one gzip member into dst. Returns the output size or a negative error code. */
export function gunzip(dst: usize, dstLen: u32, src: usize, srcLen: u32): i32 {
  if (srcLen < 18 || !isGzip(src, srcLen) || load<u8>(src + 2) != 8) return GZIP_BAD_HEADER;
  const flags = load<u8>(src + 3);
  let pos: u32 = 10;
  if ((flags & 4) != 0) { // FEXTRA
    if (pos + 2 > srcLen) return INFLATE_TRUNCATED;
    pos += 2 + (<u32>load<u8>(src + pos) | (<u32>load<u8>(src + pos + 1) << 8));
  }
  if ((flags & 8) != 0) { // FNAME
    while (pos < srcLen && load<u8>(src + pos) != 0) pos++;
    pos++;
  }
  if ((flags & 16) != 0) { // FCOMMENT
    while (pos < srcLen && load<u8>(src + pos) != 0) pos++;
    pos++;
  }
  if ((flags & 2) != 0) pos += 2; // FHCRC
  if (pos >= srcLen) return INFLATE_TRUNCATED;
  const n = inflate(dst, dstLen, src + pos, srcLen - pos);
  if (n < 0) return n;
  pos += inflateInputUsed;
  if (pos + 8 > srcLen) return INFLATE_TRUNCATED;
  if (load<u32>(src + pos) != crc32(0, dst, <u32>n)) return GZIP_CRC_ERROR;
  if (load<u32>(src + pos + 4) != <u32>n) return GZIP_LENGTH_ERROR;
  gunzipInputUsed = pos + 8;
  return n;
}

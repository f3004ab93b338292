// checksum.ts — the Internet checksum (RFC 1071) and network byte order helpers.
//
// The checksum of IPv4, ICMP, UDP and TCP is the one's complement of the one's complement sum of
// the 16-bit big-endian words covered (an odd last byte is padded with a zero). csumPartial adds
// words to a running 32-bit sum; csumFold folds the carries back in and complements. A header
// with its checksum field included sums to 0xFFFF, so csumFold(…) == 0 means "correct".
//
// IPv4 addresses are kept as the u32 that their four bytes make in memory (network byte order
// as on the wire): 192.168.86.1 is 0x0156A8C0 on this little-endian CPU. They are compared and
// masked as they are; only printing and arithmetic need the bytes.

export function csumPartial(addr: usize, len: u32, sum: u32): u32 {
  // The one's complement sum does not depend on byte order except for a final swap (RFC 1071
  // §2(B)): add the CPU's little-endian words, four bytes per load, fold, and swap the bytes
  // into the big-endian words the callers' sums are made of. (A byte-by-byte loop cost a
  // third of a TCP download's instructions.) Up to 64 KiB cannot overflow the 32-bit sum.
  let le: u32 = 0;
  let i: u32 = 0;
  while (i + 4 <= len) {
    const x = load<u32>(addr + i);
    le += (x & 0xffff) + (x >> 16);
    i += 4;
  }
  if (i + 2 <= len) {
    le += <u32>load<u16>(addr + i);
    i += 2;
  }
  if (i < len) le += <u32>load<u8>(addr + i); // an odd last byte: the high half of a big-endian word
  while ((le >> 16) != 0) le = (le & 0xffff) + (le >> 16);
  return sum + ((le & 0xff) << 8 | le >> 8);
}

/** The 16-bit checksum (host order) of a running sum. */
export function csumFold(sum: u32): u16 {
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return <u16>(~sum & 0xffff);
}

/** The words of an address (as stored) for a pseudo-header sum. */
export function csumAddr(addr: u32): u32 {
  return ((addr & 0xff) << 8 | (addr >> 8) & 0xff) + ((addr >> 16 & 0xff) << 8 | addr >> 24);
}

export function loadBe16(addr: usize): u16 {
  return <u16>(<u32>load<u8>(addr) << 8 | <u32>load<u8>(addr + 1));
}

export function storeBe16(addr: usize, v: u32): void {
  store<u8>(addr, <u8>(v >> 8));
  store<u8>(addr + 1, <u8>v);
}

export function htons(v: u32): u16 {
  return <u16>((v & 0xff) << 8 | (v >> 8) & 0xff);
}

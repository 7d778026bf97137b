// Lists a zip file's entries (name, uncompressed size) from its central directory; enough to
// check what a Lambda package holds without extracting it or depending on an unzip binary.
const { readFileSync } = require('node:fs');

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/** @returns {{ name: string, size: number, compressedSize: number }[]} */
function zipEntries(file) {
  const buf = readFileSync(file);
  // The end-of-central-directory record sits in the last 22 + up to 65535 (comment) bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== CENTRAL) throw new Error(`${file}: broken central directory`);
    const compressedSize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    entries.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLength), size, compressedSize });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

module.exports = { zipEntries };

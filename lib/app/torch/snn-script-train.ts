/**
 * The exported script, part 2: the neuron and surrogate, the forward pass over the ops, the
 * optimizers, the delayed updates (stash, ema) and the command line.
 * Python source, kept verbatim: no backticks or dollar-braces in it.
 */
export const SCRIPT_TRAIN = String.raw`

# ---------------------------------------------------------------------------------------------
# The neuron: u_t = a*u_{t-1} + b*I_t - theta*s_{t-1} (soft reset; hard: a*u_{t-1}*(1 - s_{t-1})
# + b*I_t; none: a*u_{t-1} + b*I_t), s_t = H(u_t - theta), the reset detached from the graph;
# backward through the surrogate derivative of H at u_t - theta.
def surrogate(v):
    k = CONFIG['slope']
    kind = CONFIG['surrogate']
    if kind == 'fast-sigmoid':
        d = k * v.abs() + 1
        return 1 / (d * d)
    if kind == 'triangle':
        return (k * (1 - k * v.abs())).clamp(min=0)
    c = math.pi * k / 2
    return (k / 2) / (1 + (c * v) ** 2)


class Spike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u >= NEURON['theta']).to(u.dtype)

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        return g * surrogate(u - NEURON['theta'])


def lif(current, static):
    """Spikes [T, B, ...] of a spiking layer from its input current ([B, ...] when the same at
    every step, else [T, B, ...])."""
    a, b, th, reset = NEURON['alpha'], NEURON['beta'], NEURON['theta'], NEURON['reset']
    shape = current.shape if static else current.shape[1:]
    u = current.new_zeros(shape)
    s = current.new_zeros(shape)
    out = []
    for t in range(T):
        i_t = current if static else current[t]
        sd = s.detach()
        if reset == 'soft':
            u = a * u + b * i_t - th * sd
        elif reset == 'hard':
            u = a * u * (1 - sd) + b * i_t
        else:
            u = a * u + b * i_t
        s = Spike.apply(u)
        out.append(s)
    return torch.stack(out)


def integrator(current, static):
    """The readout: o_t = a*o_{t-1} + b*I_t, logits = mean over t of o_t."""
    a, b = NEURON['alpha'], NEURON['beta']
    o = current.new_zeros(current.shape if static else current.shape[1:])
    acc = torch.zeros_like(o)
    for t in range(T):
        o = a * o + b * (current if static else current[t])
        acc = acc + o
    return acc / T


# ---------------------------------------------------------------------------------------------
# The network, op by op in SpikePipe's topological order. A value is (tensor, static): static
# tensors ([B, ...], the network input) are the same at every step; the others are [T, B, ...].
def over_time(fn, v):
    x, static = v
    if static:
        return fn(x), True
    y = fn(x.reshape(-1, *x.shape[2:]))
    return y.reshape(x.shape[0], x.shape[1], *y.shape[1:]), False


def timed(v):
    x, static = v
    return x.unsqueeze(0).expand(T, *x.shape) if static else x


def forward(x, weights):
    vals = []
    for op in OPS:
        ins = [(x, True) if j < 0 else vals[j] for j in op['inputs']]
        kind = op['op']
        if kind in ('fc', 'conv'):
            w = weights[op['weight']]
            if kind == 'conv':
                cur = over_time(lambda z: F.conv2d(z, w, stride=op['stride'], padding=op['padding']), ins[0])
            else:
                cur = over_time(lambda z: F.linear(z.flatten(1), w), ins[0])
            if op['membrane']:
                cur = (timed(cur) + sum(timed(vals[j]) for j in op['membrane']), False)
            if not op['spiking']:
                return integrator(*cur)
            vals.append((lif(*cur), False))
        elif kind == 'maxpool':
            vals.append(over_time(lambda z: F.max_pool2d(z, op['kernel'], op['stride']), ins[0]))
        elif kind == 'avgpool':
            vals.append(over_time(lambda z: F.avg_pool2d(z, op['kernel'], op['stride']), ins[0]))
        elif kind == 'flatten':
            vals.append(over_time(lambda z: z.flatten(1), ins[0]))
        elif kind == 'add' and op['mode'] == 'membrane':
            vals.append(ins[0])
        elif kind == 'add':
            if all(v[1] for v in ins):
                vals.append((sum(v[0] for v in ins), True))
            else:
                vals.append((sum(timed(v) for v in ins), False))
        elif kind == 'concat':
            if all(v[1] for v in ins):
                vals.append((torch.cat([v[0] for v in ins], 1), True))
            else:
                vals.append((torch.cat([timed(v) for v in ins], 2), False))
        else:
            raise ValueError('unknown op %r' % kind)
    raise ValueError('the network has no readout layer')


# ---------------------------------------------------------------------------------------------
# Optimizers, per weight layer, each layer with its own step count (a layer whose first delayed
# gradient arrives late starts Adam's bias correction at its own first step). step() returns the
# change it applied (the EMA reconstruction needs it).
class Optimizer:
    def __init__(self, kind, lr, weights):
        self.kind, self.lr = kind, lr
        self.m = [torch.zeros_like(w) for w in weights]
        self.v = [torch.zeros_like(w) for w in weights]
        self.t = [0] * len(weights)

    @torch.no_grad()
    def step(self, l, w, g):
        if self.kind == 'sgd':
            d = -self.lr * g
        else:
            b1, b2, eps = 0.9, 0.999, 1e-8
            self.t[l] += 1
            k = self.t[l]
            self.m[l] = b1 * self.m[l] + (1 - b1) * g
            self.v[l] = b2 * self.v[l] + (1 - b2) * g * g
            step_size = self.lr / (1 - b1 ** k)
            bc2 = math.sqrt(1 - b2 ** k)
            d = (-step_size * self.m[l]) / (self.v[l].sqrt() / bc2 + eps)
        w.add_(d)
        return d


class DelayedTrainer:
    """Per-layer staleness d_l as SpikePipe's trainer simulates it.
    stash: the gradient is taken on the current weights and applied d_l iterations later
           (PipeDream's weight stashing: a gradient of a consistent, d_l-old weight version);
           nothing is applied to layer l during its first d_l iterations.
    ema:   no history; an EMA (decay 0.9) of each layer's per-step weight change is kept, the
           forward and backward run on W - d_l * EMA, and the gradient is applied at once.
    plain: no delays."""

    def __init__(self, weights, opt, delays, mode, ema_decay):
        self.w, self.opt, self.mode = weights, opt, mode
        self.d = delays
        self.decay = ema_decay
        self.queue = [deque() for _ in weights]
        self.avg = [torch.zeros_like(w) for w in weights]

    def step(self, x, y):
        if self.mode == 'ema':
            use = [(w - d * a) if d else w.clone() for w, d, a in zip(self.w, self.d, self.avg)]
        else:
            use = [w.detach() for w in self.w]
        use = [u.detach().requires_grad_(True) for u in use]
        logits = forward(x, use)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        with torch.no_grad():
            for l, (w, u) in enumerate(zip(self.w, use)):
                g = u.grad
                if self.mode == 'stash':
                    self.queue[l].append(g)
                    if len(self.queue[l]) > self.d[l]:
                        self.opt.step(l, w, self.queue[l].popleft())
                elif self.mode == 'ema':
                    delta = self.opt.step(l, w, g)
                    self.avg[l] = self.decay * self.avg[l] + (1 - self.decay) * delta
                else:
                    self.opt.step(l, w, g)
        correct = int((logits.argmax(1) == y).sum())
        return float(loss), correct


@torch.no_grad()
def evaluate(weights, x, y, batch):
    loss, correct = 0.0, 0
    for a in range(0, len(y), batch):
        xb, yb = x[a:a + batch], y[a:a + batch]
        logits = forward(xb, weights)
        loss += float(F.cross_entropy(logits, yb, reduction='sum'))
        correct += int((logits.argmax(1) == yb).sum())
    n = max(1, len(y))
    return correct / n, loss / n


def parse_delays(text, L):
    if text in (None, '', 'none'):
        return None
    d = [int(v) for v in text.split(',')]
    if len(d) == 1:
        d = d * L
    if len(d) != L or min(d) < 0:
        sys.exit('--delays: need %d integers >= 0, got %r' % (L, text))
    return d


def main(argv=None):
    p = argparse.ArgumentParser(description='Train %s (SpikePipe export) with per-layer delayed updates.' % NET['name'])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--dtype', choices=['float32', 'float64'], default='float32')
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--steps', type=int, default=0, help='stop after this many steps (0: whole epochs)')
    p.add_argument('--batch', type=int, default=CONFIG['batch'])
    p.add_argument('--lr', type=float, default=CONFIG['lr'])
    p.add_argument('--optimizer', choices=['adam', 'sgd'], default=CONFIG['optimizer'])
    p.add_argument('--seed', type=int, default=CONFIG['seed'])
    p.add_argument('--delays', default=','.join(map(str, CONFIG['delays'])) if CONFIG['delays'] else 'none',
                   help='d1,...,dL, a constant k, or none')
    p.add_argument('--mode', choices=['stash', 'ema'], default=CONFIG['mode'])
    p.add_argument('--ema-decay', type=float, default=CONFIG['ema_decay'])
    p.add_argument('--surrogate', choices=sorted(CONFIG['slopes']), default=CONFIG['surrogate'])
    p.add_argument('--slope', type=float, help='sharpness of the surrogate (default: per surrogate)')
    p.add_argument('--weights', help='initial weights (spikepipe export-torch --weights-out)')
    p.add_argument('--init', choices=['spikepipe', 'torch'], default='spikepipe',
                   help="without --weights: SpikePipe's own seeded draws, or torch's generator (faster)")
    p.add_argument('--data', help='data file (spikepipe export-torch --data-out); overrides --dataset')
    p.add_argument('--dataset', default=CONFIG['dataset'])
    p.add_argument('--data-dir', help='directory of the Fashion-MNIST IDX files')
    p.add_argument('--limit', type=int, default=0, help='at most this many train and test samples')
    p.add_argument('--threads', type=int, default=0)
    p.add_argument('--no-eval', action='store_true')
    p.add_argument('--losses-out', help='write the loss of every step as JSON')
    p.add_argument('--save-weights', help='write the final weights in SpikePipe layout')
    args = p.parse_args(argv)
    CONFIG['surrogate'] = args.surrogate
    CONFIG['slope'] = args.slope if args.slope is not None else CONFIG['slopes'][args.surrogate]
    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.dtype == 'float64' else torch.float32
    dev = torch.device(args.device)
    delays = parse_delays(args.delays, len(LAYERS))
    mode = args.mode if delays else 'plain'

    train_x, train_y, test_x, test_y = load_data(args)
    if tuple(train_x.shape[1:]) != tuple(NET['input']):
        sys.exit('data: samples are %s but the network takes %s' % (tuple(train_x.shape[1:]), tuple(NET['input'])))
    train_x, train_y = train_x.to(dev, dtype), train_y.to(dev)
    test_x, test_y = test_x.to(dev, dtype), test_y.to(dev)
    weights = load_weights(args.weights, dtype, dev) if args.weights else init_weights(args.seed, dtype, dev, args.init)
    opt = Optimizer(args.optimizer, args.lr, weights)
    trainer = DelayedTrainer(weights, opt, delays or [0] * len(LAYERS), mode, args.ema_decay)
    shuffle_rng = Rng(args.seed, 'shuffle')
    n = len(train_y)
    steps = n // args.batch
    losses, done = [], 0
    for epoch in range(1, args.epochs + 1):
        perm = torch.tensor(shuffle_in_place(list(range(n)), shuffle_rng), dtype=torch.int64, device=dev)
        t0, total, correct, ran = time.time(), 0.0, 0, 0
        for s in range(steps):
            if args.steps and done >= args.steps:
                break
            idx = perm[s * args.batch:(s + 1) * args.batch]
            loss, c = trainer.step(train_x[idx], train_y[idx])
            if not math.isfinite(loss):
                sys.exit('epoch %d step %d: the training loss is %s (training diverged; try a smaller --lr)' % (epoch, s + 1, loss))
            losses.append(loss)
            total, correct, ran, done = total + loss, correct + c, ran + 1, done + 1
        secs = time.time() - t0
        line = 'epoch %d: train loss %.4f, %d steps, %.1f training samples/s' % (epoch, total / max(1, ran), ran, ran * args.batch / max(secs, 1e-9))
        if not args.no_eval:
            acc, _ = evaluate(weights, test_x, test_y, args.batch)
            line += ', test accuracy %.2f %%' % (100 * acc)
        print(line, flush=True)
        if args.steps and done >= args.steps:
            break
    if args.losses_out:
        with open(args.losses_out, 'w') as f:
            json.dump({'losses': losses}, f)
    if args.save_weights:
        save_weights(args.save_weights, weights)


if __name__ == '__main__':
    main()
`;

"""Feed-forward texture synthesis (Ulyanov et al. 2016 style) with Gram-matrix losses.

A target 32x32 RGB texture (oriented stripes + blobs) is generated procedurally.  A frozen,
randomly (Kaiming) initialised 3-layer ReLU conv net serves as the descriptor; the texture loss is
the MSE between normalised Gram matrices of generator samples and the target at every
descriptor layer.  Generator: noise (8 x 32 x 32) -> three 3x3 convs (32 channels, ReLU)
-> 1x1 conv to 3 channels -> sigmoid.  DCGAN-style init for the generator, Adam 2e-3,
4 samples per batch, 200 steps; class-based trainer with a small history callback.

Seeded bug: the DCGAN init is written `nn.init.normal_(m.weight, 0.02)`, which sets the
*mean* to 0.02 and keeps the default std=1.0 (signature normal_(tensor, mean, std)),
instead of `nn.init.normal_(m.weight, 0.0, 0.02)`.  With fan-in 32-288 and std 1 (plus
a positive mean) activations grow by roughly an order of magnitude per layer: the
pre-sigmoid output at step 0 has std 5.4e3 (vs 6.7e-4 with the intended init), so the
sigmoid is fully saturated and the generator emits near-binary 0/1 images with almost
no gradient.  Realistic: positional
argument mix-up in the init call.

Measured (seed 0, 200 steps): buggy initial Gram loss 0.0167, final train Gram loss
0.0055, eval 0.0056 (pre-sigmoid std still 4e3); fixed copy (normal_(w, 0.0, 0.02)):
initial 0.0085, final train 0.0010, eval 0.0010.
"""
# traindebug-expect: bad_init_scale
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_texture(size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size).float(), torch.arange(size).float(), indexing="ij")
    stripes = 0.5 + 0.5 * torch.sin(2 * math.pi * (xx * 0.8 + yy * 0.6) / 6.0)
    blobs = torch.zeros(size, size)
    for _ in range(10):
        cx, cy = torch.randint(0, size, (2,), generator=g).float()
        blobs += torch.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 8.0)
    img = torch.stack([stripes, 0.6 * stripes + 0.4 * blobs.clamp(max=1), blobs.clamp(max=1)])
    return img.unsqueeze(0)


class Descriptor(nn.Module):
    def __init__(self):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, 32, 3, padding=1), nn.Conv2d(32, 32, 3, padding=1),
                                    nn.Conv2d(32, 32, 3, padding=1)])
        for conv in self.convs:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        feats = []
        for i, conv in enumerate(self.convs):
            x = F.relu(conv(x))
            feats.append(x)
            if i < len(self.convs) - 1:
                x = F.avg_pool2d(x, 2)
        return feats


def gram(f):
    b, c, h, w = f.shape
    f = f.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (h * w)


class Generator(nn.Module):
    def __init__(self, z_ch=8, width=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(z_ch, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.ReLU(),
            nn.Conv2d(width, 3, 1))
        self.apply(self.dcgan_init)

    @staticmethod
    def dcgan_init(m):
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0.02)
            nn.init.zeros_(m.bias)

    def forward(self, z):
        return torch.sigmoid(self.net(z))


class History:
    def __init__(self, every=40):
        self.every, self.losses = every, []

    def __call__(self, step, loss, logits_std):
        self.losses.append(loss)
        if step % self.every == 0:
            print(f"step {step:3d} gram loss {loss:.4f}  pre-sigmoid std {logits_std:.2e}")


class TextureTrainer:
    def __init__(self, gen, desc, target, lr=2e-3, batch=4, callbacks=()):
        self.gen, self.desc, self.batch = gen, desc, batch
        self.opt = torch.optim.Adam(gen.parameters(), lr=lr)
        with torch.no_grad():
            self.target_grams = [gram(f) for f in desc(target)]
        self.callbacks = list(callbacks)

    def loss(self, img):
        return sum(F.mse_loss(gram(f), tg.expand_as(gram(f)))
                   for f, tg in zip(self.desc(img), self.target_grams))

    def fit(self, steps):
        for step in range(steps):
            z = torch.randn(self.batch, 8, 32, 32)
            logits = self.gen.net(z)
            loss = self.loss(torch.sigmoid(logits))
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            for cb in self.callbacks:
                cb(step, loss.item(), logits.detach().std().item())
        return loss.item()


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    target = make_texture()
    desc, gen = Descriptor(), Generator()
    hist = History()
    trainer = TextureTrainer(gen, desc, target, callbacks=[hist])
    trainer.fit(200)
    with torch.no_grad():
        eval_loss = trainer.loss(gen(torch.randn(8, 8, 32, 32))).item()
    print(f"final train gram loss {sum(hist.losses[-10:]) / 10:.4f}  eval gram loss {eval_loss:.4f}")


if __name__ == "__main__":
    t0 = time.process_time()
    main()
    print(f"cpu time {time.process_time() - t0:.1f}s")

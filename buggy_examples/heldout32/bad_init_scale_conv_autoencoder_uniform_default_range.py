"""
Convolutional autoencoder on the 8x8 digits (conv 16 -> strided conv 32 -> linear 16-d code ->
linear -> transposed conv -> conv), MSE reconstruction, AdamW lr 1e-3, batch 32, 7 epochs
(308 steps), small Trainer class with a progress callback.

Seeded bug: the custom init calls nn.init.uniform_(m.weight) without bounds, assuming it picks a
fan-in-based range (like Keras' glorot_uniform); PyTorch's default range is U(0, 1). All weights
are positive with mean 0.5, so each layer multiplies the activation scale by ~0.5 * fan_in
(9 to 512): the initial reconstructions are ~1e8 in size and the MSE ~1e16. With lr 1e-3 the
weights can only shrink slowly, and the model never gets anywhere near a usable reconstruction.

Measured (seed 0, 1 thread): buggy: val MSE 1.1e16 after epoch 0, 9.3e14 at the end. Fixed copy
(PyTorch default init): final val MSE 0.0181 (pixel variance 0.142).
"""
# traindebug-expect: bad_init_scale
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class ConvAutoencoder(nn.Module):
    def __init__(self, latent=16):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(32 * 4 * 4, latent),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, 32 * 4 * 4), nn.ReLU(),
            nn.Unflatten(1, (32, 4, 4)),
            nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1),
        )
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.uniform_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Trainer:
    def __init__(self, model, lr=1e-3, batch_size=32, callbacks=()):
        self.model = model
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.batch_size = batch_size
        self.callbacks = list(callbacks)
        self.step = 0

    def fit(self, train, val, epochs):
        for epoch in range(epochs):
            self.model.train()
            order = torch.randperm(len(train))
            for i in range(0, len(train), self.batch_size):
                x = train[order[i:i + self.batch_size]]
                loss = F.mse_loss(self.model(x), x)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.step += 1
                for cb in self.callbacks:
                    cb.on_step(self, loss.item())
            val_loss = self.evaluate(val)
            for cb in self.callbacks:
                cb.on_epoch(self, epoch, val_loss)
        return self.evaluate(val)

    @torch.no_grad()
    def evaluate(self, data):
        self.model.eval()
        return F.mse_loss(self.model(data), data).item()


class PrintProgress:
    def __init__(self, every=60):
        self.every = every

    def on_step(self, trainer, loss):
        if trainer.step % self.every == 0:
            print(f"  step {trainer.step:4d} train_mse {loss:.4g}")

    def on_epoch(self, trainer, epoch, val_loss):
        print(f"epoch {epoch} val_mse {val_loss:.4g}")


images = torch.tensor(load_digits().images / 16.0, dtype=torch.float32).unsqueeze(1)
perm = torch.randperm(len(images))
train, val = images[perm[:1400]], images[perm[1400:]]

model = ConvAutoencoder()
trainer = Trainer(model, lr=1e-3, callbacks=[PrintProgress()])
final = trainer.fit(train, val, epochs=7)
print(f"final val reconstruction mse {final:.4f} (pixel variance {val.var().item():.4f})")

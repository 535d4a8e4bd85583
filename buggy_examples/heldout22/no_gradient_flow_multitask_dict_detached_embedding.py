"""Multi-task model on sklearn digits whose forward() returns a dict of outputs
(embedding, logits, recon) consumed by a loss-dict object (CE + 0.5*MSE recon),
with an embedding-monitor callback; AdamW, 330 steps.

Seeded bug: forward() stores the encoder code as out["embedding"] = z.detach() so
the monitor callback does not keep the graph alive, and then builds both heads from
out["embedding"]. The encoder (Linear 64->64, Linear 64->8, LayerNorm) is therefore
cut off from the loss: its 5 parameter tensors never get a .grad and stay at their
random init while the heads train on fixed random 8-d features. Measured: test
accuracy 0.549, train CE 2.27 -> 1.28, test recon MSE 0.048. Fixed copy (heads read
the un-detached z): test accuracy 0.953, CE 2.15 -> 0.12, test recon MSE 0.032.
"""
# traindebug-expect: no_gradient_flow
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(11)
np.random.seed(11)


class MultiTaskNet(nn.Module):
    """Shared encoder with a classification head and a reconstruction head."""

    def __init__(self, d_in, n_classes, bottleneck=8):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, 64), nn.GELU(),
            nn.Linear(64, bottleneck), nn.LayerNorm(bottleneck),
        )
        self.cls_head = nn.Sequential(nn.Linear(bottleneck, 32), nn.GELU(), nn.Linear(32, n_classes))
        self.decoder = nn.Sequential(nn.Linear(bottleneck, 64), nn.GELU(), nn.Linear(64, d_in))

    def forward(self, x):
        z = self.encoder(x)
        # keep the code around for the embedding monitor, without holding the graph
        out = {"embedding": z.detach()}
        out["logits"] = self.cls_head(out["embedding"])
        out["recon"] = self.decoder(out["embedding"])
        return out


class LossBundle:
    def __init__(self, weights):
        self.weights = weights

    def __call__(self, out, batch):
        x, y = batch
        losses = {
            "ce": F.cross_entropy(out["logits"], y),
            "recon": F.mse_loss(out["recon"], x),
        }
        losses["total"] = sum(self.weights[k] * v for k, v in losses.items())
        return losses


class EmbeddingMonitor:
    def __init__(self):
        self.history = []

    def __call__(self, epoch, out):
        z = out["embedding"]
        self.history.append((epoch, z.std(0).mean().item()))


def run():
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train_dl = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)),
                          batch_size=64, shuffle=True)
    model = MultiTaskNet(64, 10)
    criterion = LossBundle({"ce": 1.0, "recon": 0.5})
    monitor = EmbeddingMonitor()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    Xte_t, yte_t = torch.from_numpy(Xte), torch.from_numpy(yte)
    steps = 0
    for epoch in range(15):
        model.train()
        agg = {"ce": 0.0, "recon": 0.0}
        for xb, yb in train_dl:
            out = model(xb)
            losses = criterion(out, (xb, yb))
            opt.zero_grad()
            losses["total"].backward()
            opt.step()
            steps += 1
            for k in agg:
                agg[k] += losses[k].item() / len(train_dl)
        model.eval()
        with torch.no_grad():
            te = model(Xte_t)
            acc = (te["logits"].argmax(1) == yte_t).float().mean().item()
            rec = F.mse_loss(te["recon"], Xte_t).item()
        monitor(epoch, te)
        if epoch % 3 == 2 or epoch == 0:
            print(f"epoch {epoch:2d} ce {agg['ce']:.3f} recon {agg['recon']:.4f} "
                  f"| test acc {acc:.3f} test recon {rec:.4f}")
    print("steps:", steps, "final embedding spread:", round(monitor.history[-1][1], 3))


if __name__ == "__main__":
    run()

"""Healthy control: 3-class tabular MLP trained under bf16 autocast on CPU with a custom
collate_fn and a WeightedRandomSampler on a strongly imbalanced training set.

Patterns a naive detector might flag: the raw training labels are extremely imbalanced
(2143 / 200 / 57, about 38:1), bf16 logits are cast to float for the loss, and the
minority class is repeated ~14x per epoch by the sampler.  The sampler fully rebalances
what the model sees (about 800 / 800 / 800 samples per epoch).

Measured (7 epochs, 266 steps): train loss 0.744 -> 0.099, val loss 0.369 -> 0.210,
val balanced accuracy 0.84-0.89, val macro-F1 0.695 -> 0.784.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(n_samples=3200, n_features=24, n_informative=10, n_redundant=4,
                           n_classes=3, weights=[0.90, 0.08, 0.02], class_sep=1.8,
                           random_state=7)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
sc = StandardScaler().fit(X_tr)
X_tr, X_va = sc.transform(X_tr).astype(np.float32), sc.transform(X_va).astype(np.float32)

counts = np.bincount(y_tr, minlength=3)
print("train class counts:", counts.tolist())
sample_w = (1.0 / counts)[y_tr]
sampler = torch.utils.data.WeightedRandomSampler(torch.as_tensor(sample_w, dtype=torch.double),
                                                 num_samples=len(y_tr), replacement=True,
                                                 generator=torch.Generator().manual_seed(0))


def collate(batch):
    xs = torch.from_numpy(np.stack([b[0] for b in batch]))
    ys = torch.tensor([b[1] for b in batch], dtype=torch.long)
    return xs, ys


train_ds = list(zip(X_tr, y_tr.tolist()))
loader = torch.utils.data.DataLoader(train_ds, batch_size=64, sampler=sampler, collate_fn=collate)


class MLP(nn.Module):
    def __init__(self, d_in, hidden=64, n_out=3):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.LayerNorm(hidden), nn.GELU(),
                                 nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, n_out))

    def forward(self, x):
        return self.net(x)


model = MLP(X_tr.shape[1])
opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
EPOCHS = 7
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=EPOCHS * len(loader))
Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)

for epoch in range(EPOCHS):
    model.train()
    tot, n = 0.0, 0
    seen = np.zeros(3, dtype=int)
    for xb, yb in loader:
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(yb)
        n += len(yb)
        seen += np.bincount(yb.numpy(), minlength=3)
    model.eval()
    with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        out = model(Xv).float()
    va_loss = F.cross_entropy(out, yv).item()
    pred = out.argmax(1).numpy()
    print(f"epoch {epoch} train_loss={tot / n:.4f} sampled={seen.tolist()} val_loss={va_loss:.4f} "
          f"val_bal_acc={balanced_accuracy_score(y_va, pred):.3f} "
          f"val_macro_f1={f1_score(y_va, pred, average='macro'):.3f}")

"""
Healthy control: notebook-style digits MLP with deliberate gradient accumulation.

Legitimate patterns a naive detector might flag:
  * optimizer.zero_grad() is called only every ACCUM_STEPS=4 micro-batches, so
    .grad is non-zero before most backward calls (intentional accumulation, the
    micro-batch loss is divided by ACCUM_STEPS);
  * the model ends with nn.LogSoftmax and is trained with nn.NLLLoss (correct
    pairing, outputs are already normalised);
  * inputs are /16 and mean-centred only (not unit variance).

Measured (10 epochs, 220 optimizer updates): train NLL 1.30 (epoch 1) -> 0.094,
test NLL 0.118, test acc 0.972.
"""
# traindebug-expect: clean
# %%
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)

MICRO_BATCH = 16
ACCUM_STEPS = 4          # effective batch of 64
EPOCHS = 10
LR = 2e-3

# %%
X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)
X = X - X.mean(0, keepdims=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=7, stratify=y)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)

# %%
model = nn.Sequential(
    nn.Linear(64, 128), nn.ReLU(),
    nn.Linear(128, 10),
    nn.LogSoftmax(dim=1),
)
criterion = nn.NLLLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-2)

# %%
n_updates = 0
for epoch in range(EPOCHS):
    model.train()
    perm = torch.randperm(len(Xtr))
    optimizer.zero_grad()
    running = 0.0
    for k, i in enumerate(range(0, len(Xtr), MICRO_BATCH)):
        b = perm[i:i + MICRO_BATCH]
        loss = criterion(model(Xtr[b]), ytr[b]) / ACCUM_STEPS
        loss.backward()
        running += loss.item() * ACCUM_STEPS * len(b)
        if (k + 1) % ACCUM_STEPS == 0:
            optimizer.step()
            optimizer.zero_grad()
            n_updates += 1
    model.eval()
    with torch.no_grad():
        logp = model(Xte)
        te_nll = criterion(logp, yte).item()
        acc = (logp.argmax(1) == yte).float().mean().item()
    if epoch % 2 == 1:
        print(f"epoch {epoch} updates {n_updates} train_nll {running / len(Xtr):.4f} "
              f"test_nll {te_nll:.4f} test_acc {acc:.3f}")

"""Healthy control: denoising-autoencoder pretraining of an MLP encoder on digits
(120 steps), then supervised fine-tuning on 300 labelled images (240 steps, AdamW with two
param groups).  For the first 120 fine-tuning steps the encoder is deliberately frozen
(requires_grad=False, so its .grad stays None and its weights do not change even though
its parameters are in the optimizer); at step 120 it is unfrozen and trained at a 30x lower lr.
A naive detector may flag the frozen encoder as untrained / no-gradient parameters.

Measured (seed 1): pretrain recon MSE 0.10; fine-tune loss 0.70 -> 0.069; test acc 0.841
(step 40) -> 0.919 (step 120, end of linear probe) -> 0.941 (step 240).
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class Encoder(nn.Module):
    def __init__(self, d_in=64, d_hid=128, d_out=32):
        super().__init__()
        self.l1 = nn.Linear(d_in, d_hid)
        self.l2 = nn.Linear(d_hid, d_out)

    def forward(self, x):
        return F.gelu(self.l2(F.gelu(self.l1(x))))


def set_trainable(module, flag):
    for p in module.parameters():
        p.requires_grad_(flag)


def main():
    torch.manual_seed(1)
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0 - 0.3) / 0.4
    X_tr, X_te, y_tr, y_te = train_test_split(X.astype(np.float32), y, test_size=0.3, random_state=1)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)
    y_tr, y_te = torch.from_numpy(y_tr), torch.from_numpy(y_te)
    # small labelled subset for fine-tuning, everything for the unsupervised stage
    lab = torch.randperm(len(X_tr))[:300]

    # stage 0: denoising-autoencoder pretraining of the encoder
    enc, dec = Encoder(), nn.Linear(32, 64)
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=3e-3)
    for step in range(120):
        xb = X_tr[torch.randint(0, len(X_tr), (128,))]
        loss = F.mse_loss(dec(enc(xb + 0.3 * torch.randn_like(xb))), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"pretrain recon mse {loss.item():.4f}")

    # stage 1 (steps < unfreeze_at): linear probe with the encoder frozen,
    # stage 2: unfreeze and fine-tune everything, encoder at a lower lr
    head = nn.Linear(32, 10)
    total_steps, unfreeze_at = 240, 120
    opt = torch.optim.AdamW([{"params": enc.parameters(), "lr": 3e-4},
                             {"params": head.parameters(), "lr": 1e-2}], weight_decay=1e-4)
    set_trainable(enc, False)
    for step in range(total_steps):
        if step == unfreeze_at:
            set_trainable(enc, True)
        idx = lab[torch.randint(0, len(lab), (64,))]
        loss = F.cross_entropy(head(enc(X_tr[idx])), y_tr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 39:
            with torch.no_grad():
                acc = (head(enc(X_te)).argmax(1) == y_te).float().mean().item()
            phase = "probe" if step < unfreeze_at else "finetune"
            print(f"step {step + 1:3d} [{phase:8s}] loss {loss.item():.4f} test_acc {acc:.3f}")


if __name__ == "__main__":
    main()

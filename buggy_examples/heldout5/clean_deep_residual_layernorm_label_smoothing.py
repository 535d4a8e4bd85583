"""clean: a deep (16 residual blocks, ~35 Linear layers) pre-LayerNorm MLP with
GELU activations, trained on digits with label smoothing 0.1 and Adam +
OneCycleLR. Depth without normalisation would invite vanishing/exploding
gradients, but the residual stream + LayerNorm keeps gradients healthy: the
first block's fc1 grad norm is 2.5x the last block's at step 0 and at most
~30x later (pre-LN nets give earlier blocks somewhat larger grads; nothing
vanishes and nothing grows over training). Label smoothing means
the training loss plateaus around 0.5 rather than going to 0 -- a naive
detector may call that "stuck"; it is the expected floor.
Measured (seed 0, 180 steps): batch loss 2.406 at step 0 (ln 10 = 2.303) ->
full train loss 0.514 (smoothing floor ~0.5), test acc 0.971; block0 /
block15 grad norms 1.0 / 0.40 at step 0 and 0.068 / 0.0047 at the end.
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class ResBlock(nn.Module):
    def __init__(self, d, expansion=2):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, d * expansion)
        self.fc2 = nn.Linear(d * expansion, d)
        self.act = nn.GELU()

    def forward(self, x):
        return x + self.fc2(self.act(self.fc1(self.norm(x))))


class ResMLP(nn.Module):
    def __init__(self, d_in, d_model, n_blocks, n_classes):
        super().__init__()
        self.stem = nn.Linear(d_in, d_model)
        self.blocks = nn.ModuleList(ResBlock(d_model) for _ in range(n_blocks))
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, n_classes)

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


def main():
    torch.manual_seed(0)
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=0.25, random_state=0)
    Xtr = torch.tensor(Xtr, dtype=torch.float32)
    Xte = torch.tensor(Xte, dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    model = ResMLP(64, 64, n_blocks=16, n_classes=10)
    steps = 180
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    crit = nn.CrossEntropyLoss(label_smoothing=0.1)

    g = torch.Generator().manual_seed(0)
    for step in range(steps):
        idx = torch.randint(0, len(Xtr), (64,), generator=g)
        loss = crit(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        if step % 30 == 0 or step == steps - 1:
            g_first = model.blocks[0].fc1.weight.grad.norm().item()
            g_last = model.blocks[-1].fc1.weight.grad.norm().item()
            print(f"step {step:4d} loss {loss.item():.4f}  |g| block0 {g_first:.3e} block15 {g_last:.3e}")
        opt.step()
        sched.step()

    model.eval()
    with torch.no_grad():
        tr = crit(model(Xtr), ytr).item()
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"final train loss {tr:.4f} (label-smoothed)  test acc {acc:.3f}")


if __name__ == "__main__":
    main()

"""Deep ensemble of 4 small tanh MLPs trained together (one Adam optimiser, sum of
per-member cross-entropies) on sklearn's digits (standardised pixels); the
ensemble prediction averages member softmax outputs. 12 epochs, 240 steps.

Seeded bug (saturated_units): to make the members "diverse", each member's
hidden layers are initialised with weight ~ N(0, 1) instead of a fan-in scaled
std. With 64 inputs, pre-activations have std ~8, so the tanh units sit in
their flat regions (66% of fc1 and 69% of fc2 pre-activations have |z| > 3 at
init vs 0.8% / 0.0% with std 1/sqrt(fan_in)), gradients through them are tiny
and the members learn slowly and poorly.

Measured (seed 0): final train loss per member 0.528, member test acc
0.79-0.83, ensemble test acc 0.909, ensemble NLL 0.610.
Fixed copy (std = fan_in ** -0.5): loss per member 0.122, member acc
0.965-0.970, ensemble acc 0.969, ensemble NLL 0.162.
"""
# traindebug-expect: saturated_units
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)

N_MEMBERS = 4
HIDDEN = 64
EPOCHS = 12
BATCH = 64


class Member(nn.Module):
    def __init__(self, d_in, n_out, hidden, seed):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, n_out)
        # independent random init per member is what gives a deep ensemble its diversity
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for lin in (self.fc1, self.fc2):
                lin.weight.normal_(0.0, 1.0, generator=g)
                lin.bias.zero_()

    def forward(self, x):
        return self.head(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class DeepEnsemble(nn.Module):
    def __init__(self, d_in, n_out):
        super().__init__()
        self.members = nn.ModuleList(Member(d_in, n_out, HIDDEN, 1000 + i) for i in range(N_MEMBERS))

    def forward(self, x):
        return torch.stack([m(x) for m in self.members])  # (M, B, C)

    @torch.no_grad()
    def predict_proba(self, x):
        return F.softmax(self.forward(x), -1).mean(0)


def main():
    torch.manual_seed(0)
    x, y = load_digits(return_X_y=True)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    sc = StandardScaler().fit(x_tr)
    x_tr = torch.tensor(sc.transform(x_tr), dtype=torch.float32)
    x_te = torch.tensor(sc.transform(x_te), dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    ens = DeepEnsemble(64, 10)
    opt = torch.optim.Adam(ens.parameters(), lr=1e-3)
    step = 0
    for epoch in range(EPOCHS):
        ens.train()
        perm = torch.randperm(len(x_tr))
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            logits = ens(x_tr[idx])
            # members are trained independently: sum of per-member NLLs
            loss = sum(F.cross_entropy(l, y_tr[idx]) for l in logits)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            step += 1
        if epoch % 3 == 2 or epoch == 0:
            ens.eval()
            p = ens.predict_proba(x_te)
            member_acc = [(m(x_te).argmax(1) == y_te).float().mean().item() for m in ens.members]
            print(f"epoch {epoch:2d} step {step:3d} loss/member {total / len(x_tr) / N_MEMBERS:.3f} "
                  f"ens_acc {(p.argmax(1) == y_te).float().mean():.3f} "
                  f"ens_nll {F.nll_loss(p.clamp_min(1e-8).log(), y_te):.3f} "
                  f"member_acc {min(member_acc):.3f}-{max(member_acc):.3f}")


if __name__ == "__main__":
    main()

"""Deep survival model (DeepSurv-style) trained with a hand-written Cox negative
partial log-likelihood on generated right-censored data whose log-hazard is a
non-linear function of the covariates.

Seeded bug (underfitting): the risk network is an nn.Sequential of Linear and
Dropout layers with no non-linearity between them, so the "MLP" collapses to a
linear Cox model and cannot represent the sin / interaction / quadratic terms
of the true log-hazard.
Measured (this file vs. a copy with nn.ReLU() after each hidden Linear;
50 epochs, 250 Adam steps): full-train Cox loss flat at 6.562 from epoch 10 on
vs 6.188 -> 5.779 still falling; train C-index 0.589 vs 0.840; val C-index
0.601 vs 0.807 (C-index of the true log-hazard on val: 0.834).
"""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

D = 8


def simulate(n):
    X = rng.normal(0, 1, (n, D)).astype(np.float32)
    log_h = 1.5 * np.sin(2.0 * X[:, 0]) + 1.2 * X[:, 1] * X[:, 2] + 0.8 * (X[:, 3] ** 2 - 1) + 0.3 * X[:, 4]
    t_event = rng.exponential(1.0 / np.exp(log_h))
    t_cens = rng.exponential(2.0, n)
    time = np.minimum(t_event, t_cens).astype(np.float32)
    event = (t_event <= t_cens).astype(np.float32)
    return X, time, event, log_h


def cox_ph_loss(risk, time, event):
    """Breslow negative partial log-likelihood, averaged over events."""
    order = torch.argsort(time, descending=True)
    risk, event = risk[order], event[order]
    log_risk_set = torch.logcumsumexp(risk, dim=0)   # sum over {j: t_j >= t_i}
    return -((risk - log_risk_set) * event).sum() / event.sum().clamp_min(1.0)


def concordance(risk, time, event):
    risk, time, event = map(np.asarray, (risk, time, event))
    i, j = np.triu_indices(len(time), 1)
    i, j = np.concatenate([i, j]), np.concatenate([j, i])
    ok = (time[i] < time[j]) & (event[i] == 1)
    conc = (risk[i] > risk[j])[ok].sum() + 0.5 * (risk[i] == risk[j])[ok].sum()
    return conc / ok.sum()


def main():
    Xtr, ttr, etr, _ = simulate(1500)
    Xva, tva, eva, lh_va = simulate(600)
    print(f"event rate {etr.mean():.2f}")
    Xtr_t, ttr_t, etr_t = map(torch.from_numpy, (Xtr, ttr, etr))
    Xva_t = torch.from_numpy(Xva)

    risk_net = nn.Sequential(
        nn.Linear(D, 64), nn.Dropout(0.1),
        nn.Linear(64, 64), nn.Dropout(0.1),
        nn.Linear(64, 1),
    )
    opt = torch.optim.Adam(risk_net.parameters(), lr=2e-3, weight_decay=1e-5)
    batch = 256  # Cox loss needs reasonably large risk sets
    step = 0
    for epoch in range(50):
        perm = torch.randperm(len(Xtr_t))
        for k in range(0, len(perm) - batch + 1, batch):
            idx = perm[k:k + batch]
            risk_net.train()
            loss = cox_ph_loss(risk_net(Xtr_t[idx]).squeeze(1), ttr_t[idx], etr_t[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
        if (epoch + 1) % 10 == 0:
            risk_net.eval()
            with torch.no_grad():
                full = cox_ph_loss(risk_net(Xtr_t).squeeze(1), ttr_t, etr_t).item()
                r_tr = risk_net(Xtr_t).squeeze(1).numpy()
                r_va = risk_net(Xva_t).squeeze(1).numpy()
            print(f"epoch {epoch + 1} step {step} train cox {full:.3f} "
                  f"C train {concordance(r_tr, ttr, etr):.3f} C val {concordance(r_va, tva, eva):.3f}")
    print(f"oracle val C-index {concordance(lh_va, tva, eva):.3f}")


if __name__ == "__main__":
    main()

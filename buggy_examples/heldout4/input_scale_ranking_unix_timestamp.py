"""Seeded bug: a pairwise ranking model (MarginRankingLoss) scores news
items from four features: click-through rate, a quality score, the author's
follower count in thousands, and the publication time as a raw Unix
timestamp (~1.7e9 seconds). The timestamp column was never converted to
"age in days"/standardised, so the first layer's pre-activations are ~1e9:
Adam cannot find a useful scoring function. Measured: ranking
loss 3.1e4 -> 275, pair accuracy 0.64, vs 0.54 -> 0.078, pair accuracy
0.98 with age in days and standardised columns."""
# traindebug-expect: input_scale
import torch
from torch import nn

g = torch.Generator().manual_seed(0)
n = 3000
now = 1.7e9
ctr = torch.rand(n, generator=g) * 0.2
quality = torch.randn(n, generator=g)
followers_k = torch.rand(n, generator=g) * 5
published = now - torch.rand(n, generator=g) * 30 * 86400  # within the last 30 days
age_days = (now - published) / 86400
relevance = 10 * ctr + quality + 0.2 * followers_k - 0.1 * age_days
features = torch.stack([ctr, quality, followers_k, published], dim=1)  # BUG: raw timestamp column

torch.manual_seed(0)
scorer = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1), nn.Flatten(0))
opt = torch.optim.Adam(scorer.parameters(), lr=1e-3)
crit = nn.MarginRankingLoss(margin=0.5)
losses, acc = [], []
for step in range(250):
    i = torch.randint(0, n, (64,), generator=g)
    j = torch.randint(0, n, (64,), generator=g)
    target = torch.sign(relevance[i] - relevance[j])
    si, sj = scorer(features[i]), scorer(features[j])
    loss = crit(si, sj, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    acc.append(((si - sj).sign() == target).float().mean().item())
    if step % 50 == 0:
        print(step, round(sum(losses[-50:]) / len(losses[-50:]), 4))
print(f"first {losses[0]:.4g} final {sum(losses[-20:]) / 20:.4g} pair-accuracy {sum(acc[-20:]) / 20:.3f}")

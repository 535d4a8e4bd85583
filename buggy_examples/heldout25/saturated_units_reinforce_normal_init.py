"""REINFORCE agent (entropy bonus, moving-average baseline, SGD with momentum)
on a generated contextual bandit with 6 arms and 10-d contexts.

Seeded bug (saturated_units): Policy.__init__ re-initialises the tanh body with
`nn.init.normal_(m.weight)`, whose default std is 1.0 (not a fan-in scaled
init). With 64 hidden units the second layer's pre-activations have std ~8, so
nearly all tanh units sit at +-1 where their derivative is ~0; the body acts as
a fixed random sign-feature map and only the logits layer really learns.

Measured (seed 0, 300 updates of 128 contexts): buggy run ends with greedy
reward 0.806 and best-arm rate 0.791 (oracle reward 0.882); with the default
nn.Linear init (re-init loop removed) the same script reaches greedy reward
0.865 and best-arm rate 0.913.
"""
# traindebug-expect: saturated_units
import argparse
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


class ContextualBandit:
    """Linear-logit bandit: the best arm depends on the context."""

    def __init__(self, n_features=10, n_arms=6, seed=0):
        rng = np.random.RandomState(seed)
        self.theta = rng.randn(n_arms, n_features).astype(np.float32)
        self.rng = rng
        self.n_features = n_features
        self.n_arms = n_arms

    def contexts(self, n):
        return self.rng.randn(n, self.n_features).astype(np.float32)

    def pull(self, ctx, arms):
        logits = ctx @ self.theta.T
        p = 1.0 / (1.0 + np.exp(-2.0 * (logits - logits.max(1, keepdims=True) + 1.0)))
        p_arm = p[np.arange(len(arms)), arms]
        return (self.rng.rand(len(arms)) < p_arm).astype(np.float32)

    def best_arm(self, ctx):
        return (ctx @ self.theta.T).argmax(1)


class Policy(nn.Module):
    def __init__(self, n_features, n_arms, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh())
        self.logits = nn.Linear(hidden, n_arms)
        for m in self.body:
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.logits(self.body(x))


class ReinforceAgent:
    def __init__(self, policy, lr, entropy_coef):
        self.policy = policy
        self.optimizer = torch.optim.SGD(policy.parameters(), lr=lr, momentum=0.9)
        self.entropy_coef = entropy_coef
        self.baseline = 0.0

    def act(self, ctx):
        logits = self.policy(ctx)
        dist = torch.distributions.Categorical(logits=logits)
        arms = dist.sample()
        return arms, dist.log_prob(arms), dist.entropy()

    def update(self, logp, entropy, rewards):
        adv = rewards - self.baseline
        self.baseline = 0.9 * self.baseline + 0.1 * rewards.mean().item()
        loss = -(logp * adv).mean() - self.entropy_coef * entropy.mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--entropy", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    env = ContextualBandit(seed=args.seed)
    agent = ReinforceAgent(Policy(env.n_features, env.n_arms), args.lr, args.entropy)

    eval_ctx = env.contexts(2000)
    eval_best = env.best_arm(eval_ctx)
    running = []
    for step in range(1, args.steps + 1):
        ctx = env.contexts(args.batch)
        arms, logp, ent = agent.act(torch.from_numpy(ctx))
        r = env.pull(ctx, arms.numpy())
        agent.update(logp, ent, torch.from_numpy(r))
        running.append(r.mean())
        if step % 50 == 0:
            with torch.no_grad():
                greedy = agent.policy(torch.from_numpy(eval_ctx)).argmax(1).numpy()
            acc = (greedy == eval_best).mean()
            print(f"step {step:4d}  avg reward {np.mean(running[-50:]):.3f}  greedy best-arm rate {acc:.3f}")

    with torch.no_grad():
        greedy = agent.policy(torch.from_numpy(eval_ctx)).argmax(1).numpy()
    exp_r = env.pull(eval_ctx, greedy).mean()
    oracle = env.pull(eval_ctx, eval_best).mean()
    print(f"final greedy reward {exp_r:.3f} (oracle {oracle:.3f}), best-arm rate {(greedy == eval_best).mean():.3f}")


if __name__ == "__main__":
    main()

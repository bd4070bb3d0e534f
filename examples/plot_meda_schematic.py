"""
======================================
MEDA_LUDE in two pictures
======================================

The first picture shows the four networks of MEDA_LUDE and the latent
mixture that ties them together; the second shows which of them each phase
trains, uses frozen or leaves alone, and which loss terms it adds. Nothing is
trained here: the figures are drawn with matplotlib from the description of
the method (Zhao et al., arXiv 2207.12744, Fig. 1 and Algorithm 1).
"""

# %%
# The networks
# ------------
# An encoder ``E`` maps an image ``x`` to a latent code ``f``; a decoder ``G``
# maps codes back to images. The large-margin Gaussian mixture (L-GM) loss
# shapes the codes of each class ``k`` into one Gaussian ``N(M_k, S_k)`` with a
# learned mean and a learned diagonal covariance (in the paper; the package
# switches it off by default, ``mixture="empirical"``, and fits each class's
# Gaussian to its codes after Phase 1). Two classifiers judge the
# result: ``C_ltt`` on latent codes and ``C_img`` on images (real and decoded).

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

NET = "#dbe8f6"  # networks
DATA = "#f3f3f3"  # images and codes
MIX = "#efe3f5"  # the mixture


def box(ax, x, y, text, colour, w=1.6, h=0.9):
    """A rounded box centred on (x, y)."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h,
                                boxstyle="round,pad=0.05,rounding_size=0.15",
                                facecolor=colour, edgecolor="#444444", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=9)


def arrow(ax, start, end, style="-|>", **kw):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12,
                                 color="#333333", lw=1, **kw))


fig, ax = plt.subplots(figsize=(10, 4.0), layout="constrained")
ax.set_xlim(0.1, 11)
ax.set_ylim(0, 5)
ax.axis("off")

box(ax, 0.9, 2.5, "image $x$", DATA, w=1.3)
box(ax, 2.9, 2.5, "encoder\n$E$", NET)
box(ax, 4.9, 2.5, "latent code\n$f = E(x)$", DATA)
box(ax, 6.9, 2.5, "decoder\n$G$", NET)
box(ax, 8.7, 2.5, "image\n$G(f)$", DATA, w=1.3)
box(ax, 10.2, 2.5, "image\nclassifier\n$C_{img}$", NET, w=1.3, h=1.2)
box(ax, 4.9, 1.15, "latent classifier $C_{ltt}$", NET, w=2.6, h=0.6)

arrow(ax, (1.55, 2.5), (2.1, 2.5))
arrow(ax, (3.7, 2.5), (4.1, 2.5))
arrow(ax, (5.7, 2.5), (6.1, 2.5))
arrow(ax, (7.7, 2.5), (8.05, 2.5))
arrow(ax, (9.35, 2.5), (9.55, 2.5))
arrow(ax, (4.9, 2.05), (4.9, 1.45))
# Real images reach the image classifier too: a dashed path along the bottom.
ax.plot([0.9, 0.9, 10.2], [2.05, 0.3, 0.3], ls="--", lw=1, color="#333333")
arrow(ax, (10.2, 0.3), (10.2, 1.9), linestyle="--")
ax.text(7.6, 0.42, "real images are classified too", fontsize=8,
        color="#555555", ha="center")

# The mixture: one Gaussian per class in the latent space.
ax.add_patch(FancyBboxPatch((3.6, 3.35), 2.6, 1.45,
                            boxstyle="round,pad=0.05,rounding_size=0.15",
                            facecolor=MIX, edgecolor="#444444", lw=1))
for (cx, cy, w, h, angle), colour in zip(
    [(4.2, 3.95, 0.8, 0.45, 20), (4.95, 3.65, 0.7, 0.35, -15),
     (5.65, 4.0, 0.6, 0.5, 40)],
    plt.get_cmap("tab10").colors,
):
    ax.add_patch(Ellipse((cx, cy), w, h, angle=angle, facecolor=colour,
                         alpha=0.45, edgecolor=colour))
ax.text(4.9, 4.55, "L-GM mixture: $N(M_k, S_k)$ per class", ha="center",
        fontsize=8.5)
arrow(ax, (4.9, 3.3), (4.9, 2.95), style="<|-|>", linestyle=":")
ax.set_title("The four networks of MEDA_LUDE and the latent mixture")
plt.show()

# %%
# The phases
# ----------
# Phase 1 trains everything together. Phases 2, 3 and 4 then repeat
# ``n_iterations`` times: Phase 2 teaches the decoder to turn draws of the
# mixture into images ``C_img`` accepts while it keeps reconstructing the
# real batch (``rec2``; the encoder only encodes it, frozen), Phase 3 teaches
# the encoder to map those images back into their class's Gaussian, and
# Phase 4 (the evolution, no gradients) moves, for each over-sampled class,
# the Gaussian its new samples are drawn from toward draws that both
# classifiers accept and that look least like the real images. Phases 2-4
# are off by default (``phase2_epochs``, ``phase3_epochs`` and
# ``n_generations`` 0), since they did not pay. With the
# default residual synthesis that is a Gaussian of latent displacements from
# real samples' codes; with ``synthesis="decode"`` the class's Gaussian of
# the mixture itself. Synthesis finally draws new samples from the evolved
# Gaussians. ``img1`` trains the decoder only with the paper's routing
# (``phase1_image_loss="decoder"``), hence the brackets.

TRAINED, FROZEN, EVOLVED, UNUSED = "#3b75af", "#d5d5d5", "#8c5aa8", "#ffffff"
STATES = {"T": TRAINED, "F": FROZEN, "E": EVOLVED, "-": UNUSED}
columns = ["$E$", "$G$", "$C_{ltt}$", "$C_{img}$", "Gaussians"]
# One line per phase: its label, then one cell per column, each the state
# letter (T trained, F frozen, E evolved, - not used) and the cell's text;
# "/" breaks a line.
TABLE = """
Phase 1/pre-training | T rec1, gm1,/ltt1 | T rec1/(img1) | T ltt1 | T img1 | T gm1:/mixture $M, S$
Phase 2/decode draws | F encodes/batch | T rec2, img2 | - | T img2 | F draws $f$
Phase 3/re-encode | T gm3, ltt3 | F decodes | T ltt3 | - | F target
Phase 4/evolution | F encodes/anchors | F decodes | F filter | F filter | E EDA update/(gamma, eta)
synthesis/(residual) | F encodes/anchors | F decodes | F filter | F filter | F draws $d$
"""
rows = []
for line in TABLE.strip().splitlines():
    label, *cells = [part.strip().replace("/", "\n") for part in line.split("|")]
    rows.append((label, [(STATES[c[0]], c[2:]) for c in cells]))

fig, ax = plt.subplots(figsize=(8.5, 4.4), layout="constrained")
ax.set_xlim(-1.7, len(columns) + 0.05)
ax.set_ylim(len(rows) + 0.1, -0.9)
ax.axis("off")
for j, name in enumerate(columns):
    ax.text(j + 0.5, -0.45, name, ha="center", va="center", fontsize=10)
for i, (label, cells) in enumerate(rows):
    ax.text(-0.1, i + 0.5, label, ha="right", va="center", fontsize=9)
    for j, (colour, text) in enumerate(cells):
        ax.add_patch(plt.Rectangle((j + 0.04, i + 0.04), 0.92, 0.92,
                                   facecolor=colour, edgecolor="#888888"))
        dark = colour in (TRAINED, EVOLVED)
        ax.text(j + 0.5, i + 0.5, text or "-", ha="center", va="center",
                fontsize=8, color="white" if dark else "#222222")
# Phases 2-4 repeat n_iterations times.
ax.annotate("", xy=(-1.5, 1.05), xytext=(-1.5, 3.95),
            arrowprops={"arrowstyle": "-", "lw": 1.2, "color": "#555555"})
ax.text(-1.55, 2.5, "x n_iterations", rotation=90, ha="right", va="center",
        fontsize=8.5, color="#555555")
handles = [plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#888888")
           for c in (TRAINED, FROZEN, EVOLVED, UNUSED)]
ax.legend(handles, ["trained (gradient)", "used, frozen", "evolved (no gradient)",
                    "not used"], loc="upper center", bbox_to_anchor=(0.55, 0.0),
          ncol=4, frameon=False, fontsize=8.5)
ax.set_title("What each phase trains, and with which loss terms")
plt.show()

# %%
# Residual synthesis
# ------------------
# With the default ``synthesis="residual"`` a new image starts from a real
# image ``x`` of the class (an anchor) with code ``e = E(x)``. The code moves
# by a displacement ``d`` drawn from the class's displacement Gaussian
# (evolved by Phase 4 when it is on), ``f = e + d``, and the new image is
# ``G(f) + (x - G(e))``: the decoder supplies the change of shape, the real
# image its edges and texture. Below, a one-dimensional cartoon of that sum:
# the decoder's output is smooth, the real signal carries detail, and the
# residual keeps the detail while the shape moves.

t = np.linspace(0, 1, 400)
detail = 0.08 * np.sin(60 * t)
x_real = np.exp(-((t - 0.45) / 0.12) ** 2) + detail
g_e = np.exp(-((t - 0.45) / 0.13) ** 2)  # the decoder's blurred x
g_f = np.exp(-((t - 0.55) / 0.13) ** 2)  # the decoder after the code moved
fig, axes = plt.subplots(1, 3, figsize=(10, 2.6), sharey=True)
axes[0].plot(t, x_real, label="real $x$")
axes[0].plot(t, g_e, label="$G(e)$")
axes[1].plot(t, g_f, color="C2", label="$G(f)$ (decoded draw)")
axes[2].plot(t, g_f + (x_real - g_e), color="C3", label="$G(f) + (x - G(e))$")
for a, title in zip(axes, ["anchor and its decoding", "synthesis='decode'",
                           "synthesis='residual'"]):
    a.set_title(title, fontsize=10)
    a.legend(fontsize=8, frameon=False, loc="upper right")
    a.set_xticks([])
    a.set_yticks([])
fig.tight_layout()
plt.show()

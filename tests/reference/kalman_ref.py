#!/usr/bin/python3
"""Independent numpy reference of ByteTrack's Kalman filter (yolox/tracker/kalman_filter.py).

Written from the paper's / reference implementation's equations with explicit
matrices, not from rkyolo's code:

    state x = (cx, cy, a, h, vcx, vcy, va, vh), measurement z = (cx, cy, a, h)
    F = [[I4, I4], [0, I4]]  (constant velocity, dt = 1 frame),  H = [I4, 0]
    initiate: x = (z, 0),  P = diag(s^2), s = (2 wp h, 2 wp h, 1e-2, 2 wp h,
                                              10 wv h, 10 wv h, 1e-5, 10 wv h)
    predict:  Q = diag((wp h, wp h, 1e-2, wp h, wv h, wv h, 1e-5, wv h)^2), h = x[3] before predicting
              x = F x,  P = F P F^T + Q
    update:   R = diag((wp h, wp h, 1e-1, wp h)^2), h = x[3] of the predicted state
              S = H P H^T + R,  K = P H^T S^-1,  x = x + K (z - H x),  P = P - K S K^T
    with wp = 1/20, wv = 1/160.

Input (argv[1]): one operation per line: "init cx cy a h", "predict", "update cx cy a h".
Output (stdout): after every operation, one line of 8 + 64 numbers (mean, covariance row-major).
"""
import sys

import numpy as np

WP, WV = 1.0 / 20, 1.0 / 160
F = np.eye(8)
F[:4, 4:] = np.eye(4)
H = np.eye(4, 8)


def initiate(z):
    h = z[3]
    s = np.array([2 * WP * h, 2 * WP * h, 1e-2, 2 * WP * h, 10 * WV * h, 10 * WV * h, 1e-5, 10 * WV * h])
    return np.r_[z, np.zeros(4)], np.diag(s ** 2)


def predict(x, p):
    h = x[3]
    q = np.diag(np.array([WP * h, WP * h, 1e-2, WP * h, WV * h, WV * h, 1e-5, WV * h]) ** 2)
    return F @ x, F @ p @ F.T + q


def update(x, p, z):
    h = x[3]
    r = np.diag(np.array([WP * h, WP * h, 1e-1, WP * h]) ** 2)
    s = H @ p @ H.T + r
    k = np.linalg.solve(s, (p @ H.T).T).T   # P H^T S^-1 (S symmetric)
    return x + k @ (z - H @ x), p - k @ s @ k.T


def main():
    x = p = None
    out = []
    for line in open(sys.argv[1]):
        f = line.split()
        if not f:
            continue
        if f[0] == "init":
            x, p = initiate(np.array([float(v) for v in f[1:5]]))
        elif f[0] == "predict":
            x, p = predict(x, p)
        elif f[0] == "update":
            x, p = update(x, p, np.array([float(v) for v in f[1:5]]))
        else:
            raise SystemExit("unknown operation: " + f[0])
        out.append(" ".join("%.17g" % v for v in np.r_[x, p.ravel()]))
    print("\n".join(out))


if __name__ == "__main__":
    main()

import itertools, math
def lg(x): return 1/(1+math.exp(-x))
def vd_q(n,lam,b=1.0,c=0.25,tol=1e-15):
    # damped fixed point from q=0.5 (principal branch via homotopy in lambda)
    q=0.5
    for L in [lam*j/200 for j in range(1,201)]:
        for _ in range(10000):
            f=lg(L*((b-c)-b*(1-(1-q)**(n-1))))
            qn=0.5*q+0.5*f
            if abs(qn-q)<tol: q=qn;break
            q=qn
    return q
for lam in [0,1,5,20,100,1000]:
    q=vd_q(5,lam); print("VD n=5 lam",lam,"q=%.6f Pnobody=%.6f"%(q,(1-q)**5))
print("Nash",0.25**(5/4), "q_nash",1-0.25**0.25)
q=vd_q(5,5); print("check residual", q-lg(5*(0.75-(1-(1-q)**4))))
for n in [2,3]:
    print(n,[ (round(vd_q(n,l),6), round((1-vd_q(n,l))**n,6)) for l in [5,20]])

import math
def lg(x): 
    return 1/(1+math.exp(-x)) if x>-700 else 0.0
def vd_bis(n,lam,b=1.0,c=0.25):
    lo,hi=0.0,1.0
    for _ in range(200):
        m=(lo+hi)/2
        if m-lg(lam*(b*(1-m)**(n-1)-c))>0: hi=m
        else: lo=m
    return (lo+hi)/2
for lam in [0,1,2,5,10,20,50,100,1000,1e4]:
    q=vd_bis(5,lam); print("lam %g q=%.6f P0=%.6f"%(lam,q,(1-q)**5))
for n in [2,3,5]:
    for lam in [5,20]:
        q=vd_bis(n,lam); print("n",n,"lam",lam,"q=%.4f P0=%.4f"%(q,(1-q)**n))
# adaptive damped Jacobi, asymmetric players, engine-style
def jacobi(n,lam,q0,tol=1e-10,cap=500,b=1.0,c=0.25):
    q=list(q0); w=1.0; prev=1e9
    for it in range(1,cap+1):
        f=[]
        for i in range(n):
            p0=1.0
            for j in range(n):
                if j!=i: p0*=1-q[j]
            f.append(lg(lam*(b*p0-c)))
        res=max(abs(f[i]-q[i]) for i in range(n))
        if res<tol: return q,it,w
        if res>prev: w=max(w/2,1/64)
        prev=res
        q=[q[i]+w*(f[i]-q[i]) for i in range(n)]
    return q,cap,w
for lam in [5,20,100,1000]:
    for q0 in ([0.5]*5,[0.3,0.35,0.4,0.45,0.5]):
        q,it,w=jacobi(5,lam,q0); print("jacobi lam",lam,"q0",q0[0],"iters",it,"w",w,"q",[round(x,5) for x in q])

import math, itertools
def lg(x): return 1/(1+math.exp(-x)) if x>-700 else 0.0
def util_diff(k_others, n_other_exp_q, game):
    pass
def make(n,k,b,c):
    # payoff diff act-not given number m of OTHER actors (realised)
    def d(m): return b*((m+1)>=k) - c - b*(m>=k)
    return d
def pk_dist(qs):
    # distribution of count from independent bernoullis
    dist=[1.0]
    for q in qs:
        nd=[0.0]*(len(dist)+1)
        for m,p in enumerate(dist):
            nd[m]+=p*(1-q); nd[m+1]+=p*q
        dist=nd
    return dist
def sym_qre(n,k,b,c,lam):
    d=make(n,k,b,c)
    def F(q):
        dist=pk_dist([q]*(n-1))
        return lg(lam*sum(p*d(m) for m,p in enumerate(dist)))
    # principal branch by homotopy + bisection locally: use damped iteration along lambda path
    q=0.5
    steps=400
    for j in range(1,steps+1):
        L=lam*j/steps
        def G(x):
            dist=pk_dist([x]*(n-1)); return x-lg(L*sum(p*d(m) for m,p in enumerate(dist)))
        # Newton from previous q
        for _ in range(100):
            h=1e-7; g=G(q); dg=(G(q+h)-G(q-h))/(2*h)
            qn=min(max(q-g/dg,1e-300),1-1e-16)
            if abs(qn-q)<1e-15: q=qn;break
            q=qn
    return q
def meeting(n,k,b,c,lam,R,qstar):
    d=make(n,k,b,c)
    # state: dict profile tuple -> prob ; tour 1: sequential with later expected at qstar
    st={():1.0}
    for s in range(n):
        ns={}
        for prof,p in st.items():
            m_real=sum(prof)
            dist=pk_dist([qstar]*(n-1-s))
            du=sum(pp*d(m_real+j) for j,pp in enumerate(dist))
            a=lg(lam*du)
            for act,pa in ((1,a),(0,1-a)):
                key=prof+(act,); ns[key]=ns.get(key,0)+p*pa
        st=ns
    out=[summ(st,n,k)]
    for r in range(2,R+1):
        for s in range(n):
            ns={}
            for prof,p in st.items():
                m=sum(prof)-prof[s]
                a=lg(lam*d(m))
                for act,pa in ((1,a),(0,1-a)):
                    key=prof[:s]+(act,)+prof[s+1:]; ns[key]=ns.get(key,0)+p*pa
            st=ns
        out.append(summ(st,n,k))
    return out
def jacobi_rounds(n,k,b,c,lam,R):
    d=make(n,k,b,c)
    st={tuple([0]*n):1.0}; out=[]
    for r in range(R):
        ns={}
        for prof,p in st.items():
            tot=sum(prof)
            acts=[lg(lam*d(tot-prof[i])) for i in range(n)]
            for new in itertools.product((0,1),repeat=n):
                pr=p
                for i in range(n): pr*= acts[i] if new[i] else 1-acts[i]
                ns[new]=ns.get(new,0)+pr
        st=ns; out.append(summ(st,n,k))
    return out
def summ(st,n,k):
    p0=sum(p for pr,p in st.items() if sum(pr)==0)
    pk=sum(p for pr,p in st.items() if sum(pr)>=k)
    pall=sum(p for pr,p in st.items() if sum(pr)==n)
    ea=sum(p*sum(pr) for pr,p in st.items())
    return (round(p0,4),round(pk,4),round(pall,4),round(ea,3))
import sys
print("VD n=5 k=1 b=1 c=.25")
for lam in [5,20]:
    q=sym_qre(5,1,1,.25,lam); print("lam",lam,"qre q",round(q,6),"P0",round((1-q)**5,6))
    for R,s in enumerate(meeting(5,1,1,.25,lam,10,q),1): print("  meeting R",R,"(P0,P>=k,Pall,E#)",s)
    print("  jacobi", jacobi_rounds(5,1,1,.25,lam,10))

import math, functools
def lg(x): return 1/(1+math.exp(-x)) if x>-700 else 0.0
def aqre(n,k,b,c,lam,R):
    # nodes: (tour r, position s); state: tuple of committed flags. Uncommitted member at its node: commit or pass.
    # payoff of member i at end: b*1[#>=k] - c*committed_i. Returns distribution of final profile.
    nodes=[(r,s) for r in range(R) for s in range(n)]
    @functools.lru_cache(None)
    def V(idx,prof):
        # returns tuple of expected payoff per member, from node idx with profile prof
        if idx==len(nodes):
            m=sum(prof); return tuple(b*(m>=k)-c*prof[i] for i in range(n))
        r,s=nodes[idx]
        if prof[s]: return V(idx+1,prof)
        pc=prof[:s]+(1,)+prof[s+1:]
        vc=V(idx+1,pc); vp=V(idx+1,prof)
        a=lg(lam*(vc[s]-vp[s]))
        return tuple(a*vc[i]+(1-a)*vp[i] for i in range(n))
    def dist():
        st={tuple([0]*n):1.0}
        for idx,(r,s) in enumerate(nodes):
            ns={}
            for prof,p in st.items():
                if prof[s]: ns[prof]=ns.get(prof,0)+p; continue
                pc=prof[:s]+(1,)+prof[s+1:]
                a=lg(lam*(V(idx+1,pc)[s]-V(idx+1,prof)[s]))
                ns[pc]=ns.get(pc,0)+p*a; ns[prof]=ns.get(prof,0)+p*(1-a)
            st=ns
        return st
    st=dist()
    p0=sum(p for pr,p in st.items() if sum(pr)==0); pk=sum(p for pr,p in st.items() if sum(pr)>=k)
    pall=sum(p for pr,p in st.items() if sum(pr)==n); ea=sum(p*sum(pr) for pr,p in st.items())
    return round(p0,4),round(pk,4),round(pall,4),round(ea,3)
import sys
for args in [(5,1,1,.25,5),(5,1,1,.25,20),(4,4,1,.15,10),(4,4,1,.25,10),(4,4,1,.3,10),(5,5,1,.15,10)]:
    print(args,"(P0,P>=k,Pall,E#) R=1..8:")
    for R in range(1,9): print("   ",R,aqre(*args,R))

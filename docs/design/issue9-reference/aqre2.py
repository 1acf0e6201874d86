import math, functools
def lg(x): return 1/(1+math.exp(-x)) if x>-700 else 0.0
def aqre(n,k,b,c,lam,R):
    nodes=[(r,s) for r in range(R) for s in range(n)]
    def term(prof): m=sum(prof); return tuple(b*(m>=k)-c*prof[i] for i in range(n))
    @functools.lru_cache(None)
    def V(idx,prof,ch):
        if idx==len(nodes): return term(prof)
        r,s=nodes[idx]
        if s==0 and r>0:
            if not ch: return term(prof)   # closed: a quiet tour ends the meeting
            ch=False
        if prof[s]: return V(idx+1,prof,ch)
        pc=prof[:s]+(1,)+prof[s+1:]
        vc=V(idx+1,pc,True); vp=V(idx+1,prof,ch)
        a=lg(lam*(vc[s]-vp[s]))
        return tuple(a*vc[i]+(1-a)*vp[i] for i in range(n))
    st={(tuple([0]*n),False,False):1.0}
    for idx,(r,s) in enumerate(nodes):
        ns={}
        for (prof,ch,cl),p in st.items():
            if s==0 and r>0:
                if not ch: cl=True
                ch=False
            if cl or prof[s]:
                key=(prof,ch,cl); ns[key]=ns.get(key,0)+p; continue
            pc=prof[:s]+(1,)+prof[s+1:]
            a=lg(lam*(V(idx+1,pc,True)[s]-V(idx+1,prof,ch)[s]))
            for key,pa in (((pc,True,cl),a),((prof,ch,cl),1-a)): ns[key]=ns.get(key,0)+p*pa
        st=ns
    p0=sum(p for (pr,_,_),p in st.items() if sum(pr)==0); pk=sum(p for (pr,_,_),p in st.items() if sum(pr)>=k)
    pall=sum(p for (pr,_,_),p in st.items() if sum(pr)==n); ea=sum(p*sum(pr) for (pr,_,_),p in st.items())
    return round(p0,5),round(pk,4),round(pall,4),round(ea,3)
for args in [(5,1,1,.25,5),(5,1,1,.25,20),(4,4,1,.3,10),(4,4,1,.3,5)]:
    print(args,"(P0,P>=k,Pall,E#):")
    for R in range(1,11): print("   ",R,aqre(*args,R))

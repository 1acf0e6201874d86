exec(open('meet.py').read().split('import sys')[0])
for (n,k,b,c,lam) in [(4,4,1,.3,10),(4,4,1,.4,10),(4,4,1,.5,10),(5,5,1,.3,10),(4,3,1,.3,10),(5,4,1,.3,10),(4,4,1,.3,5),(4,4,1,.3,20)]:
    q=sym_qre(n,k,b,c,lam)
    dist=pk_dist([q]*n)
    print("n",n,"k",k,"c",c,"lam",lam,"sep q=%.4f P(>=k)=%.4f Pall=%.4f P0=%.4f"%(q,sum(dist[k:]),dist[n],dist[0]))
    res=meeting(n,k,b,c,lam,10,q)
    print("   meeting R1..10 P(>=k):",[r[1] for r in res])
    print("   meeting Pall:",[r[2] for r in res], "E#",[r[3] for r in res][:3])
    print("   jacobi P(>=k):",[r[1] for r in jacobi_rounds(n,k,b,c,lam,6)])

import sys, statistics as st
for fn in sys.argv[1:]:
    L=open(fn).read().split('\n'); v=L[0]
    w=[tuple(map(int,l.split())) for l in L[1:] if l.strip()]
    w=w[4:]  # warm-up
    r=[]
    for i in range(len(w)-1):
        a,b=w[i],w[i+1]
        if a[0]!=b[0] and a[2] and b[2]:
            x,y=(a,b) if a[0]==0 else (b,a)
            r.append((y[1]/y[2])/(x[1]/x[2]))
    c0=[x[1]/x[2] for x in w if x[0]==0 and x[2]]; c1=[x[1]/x[2] for x in w if x[0]==1 and x[2]]
    q=st.quantiles(r,n=4) if len(r)>3 else [0,0,0]
    print(f"{fn}: {v}: pairs {len(r)} paired ratio median {st.median(r):.3f} (q1 {q[0]:.3f} q3 {q[2]:.3f}); phase0 median {st.median(c0):.1f} phase1 {st.median(c1):.1f} cyc/pkt")
